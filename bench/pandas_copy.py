"""Canonical job with pandas and a COPY-based loader: to_sql(method=<callable using copy_expert>).

The callable follows the pattern from the pandas I/O documentation ("insertion method"): render
the rows handed over by to_sql as CSV into memory and stream them with COPY ... FROM STDIN.
"""
import csv
from io import StringIO

from pandas_common import ensure_table, make_engine, parse_args, read_and_transform


def copy_insert(table, conn, keys, data_iter):
    """to_sql insertion method: one COPY FROM STDIN per call."""
    raw = conn.connection  # the DBAPI (psycopg2) connection under SQLAlchemy
    buf = StringIO()
    csv.writer(buf).writerows(data_iter)
    buf.seek(0)
    columns = ", ".join('"%s"' % k for k in keys)
    name = '"%s"."%s"' % (table.schema, table.name) if table.schema else '"%s"' % table.name
    with raw.cursor() as cur:
        cur.copy_expert("COPY %s (%s) FROM STDIN WITH (FORMAT csv)" % (name, columns), buf)


def main():
    args = parse_args(__doc__)
    engine = make_engine(args.url)
    ensure_table(engine, args.table)
    df = read_and_transform(args.input)
    df.to_sql(args.table, engine, if_exists="append", index=False, method=copy_insert)
    print("loaded %d rows into %s" % (len(df), args.table))


if __name__ == "__main__":
    main()
