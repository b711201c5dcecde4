"""Canonical job with plain pandas: read_csv + to_sql (the default row-by-row inserts)."""
from pandas_common import ensure_table, make_engine, parse_args, read_and_transform


def main():
    args = parse_args(__doc__)
    engine = make_engine(args.url)
    ensure_table(engine, args.table)
    df = read_and_transform(args.input)
    df.to_sql(args.table, engine, if_exists="append", index=False)
    print("loaded %d rows into %s" % (len(df), args.table))


if __name__ == "__main__":
    main()
