"""Shared pieces of the two pandas peers in the canonical benchmark.

The job: read the sales CSV, parse an order_date column written in two formats, drop rows whose
amount is not positive, add tax = round(amount * 0.08, 2), load into PostgreSQL.
"""
import argparse
import os

import pandas as pd
from sqlalchemy import create_engine, text

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"

TABLE_DDL = """CREATE TABLE IF NOT EXISTS {table} (
    order_id BIGINT,
    order_date DATE,
    customer TEXT,
    product_id INTEGER,
    quantity INTEGER,
    amount NUMERIC(12,2),
    tax NUMERIC(12,2)
)"""


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--input", required=True, help="sales CSV")
    parser.add_argument("--table", required=True, help="target table (created if missing)")
    parser.add_argument(
        "--url",
        default=os.environ.get("SLUICE_BENCH_PG_URL", DEFAULT_URL),
        help="PostgreSQL URL (default: $SLUICE_BENCH_PG_URL or %s)" % DEFAULT_URL,
    )
    return parser.parse_args()


def make_engine(url):
    # SQLAlchemy wants the postgresql:// scheme and a driver name.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    return create_engine(url)


def ensure_table(engine, table):
    with engine.begin() as conn:
        conn.execute(text(TABLE_DDL.format(table=table)))


def parse_mixed_dates(col):
    """Parse a column holding both YYYY-MM-DD and MM/DD/YYYY.

    Equivalent to pd.to_datetime(col, format="mixed") on pandas >= 2, but also works on 1.x and
    stays vectorised: one pass per format, the second filling what the first could not parse.
    """
    iso = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce")
    us = pd.to_datetime(col, format="%m/%d/%Y", errors="coerce")
    return iso.fillna(us)


def read_and_transform(path):
    df = pd.read_csv(
        path,
        dtype={
            "order_id": "int64",
            "order_date": "string",
            "customer": "string",
            "product_id": "int32",
            "quantity": "int32",
            "amount": "float64",
        },
        keep_default_na=False,
        na_values=[""],
    )
    df["order_date"] = parse_mixed_dates(df["order_date"])
    df = df[df["amount"] > 0]
    df = df.assign(tax=(df["amount"] * 0.08).round(2))
    return df
