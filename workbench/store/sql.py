"""DuckDB over exact Parquet files: the SQL source text and Arrow results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa


def query_arrow(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> pa.Table:
    """Run a query and return a pyarrow Table (without the DB-API extra copy).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection.
    sql : str
        The query.
    params : sequence, optional
        Values for the ``?`` placeholders.

    Returns
    -------
    pyarrow.Table
        The result.
    """
    rel = con.sql(sql, params=list(params) if params else None)
    fetch = getattr(rel, "to_arrow_table", None) or rel.arrow
    out = fetch()
    return out if isinstance(out, pa.Table) else out.read_all()


def query_once(sql: str) -> pa.Table:
    """Run one query on a fresh in-memory connection, closed afterwards.

    Parameters
    ----------
    sql : str
        The query (usually over :func:`parquet_sql`).

    Returns
    -------
    pyarrow.Table
        The result.
    """
    con = duckdb.connect()
    try:
        return query_arrow(con, sql)
    finally:
        con.close()


def _sql_list(paths: Sequence[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def parquet_sql(paths: Sequence[str], **options: str) -> str:
    """``read_parquet`` over exact files; partition folders are not read as columns.

    Parameters
    ----------
    paths : sequence of str
        The files.
    **options : str
        Further ``read_parquet`` options, as SQL text.

    Returns
    -------
    str
        A table expression for a ``FROM`` clause.

    Examples
    --------
    >>> parquet_sql(["a.parquet", "it's.parquet"], union_by_name="true")
    "read_parquet(['a.parquet', 'it''s.parquet'], hive_partitioning=false, union_by_name=true)"
    """
    opts = "".join(f", {k}={v}" for k, v in {"hive_partitioning": "false", **options}.items())
    return f"read_parquet({_sql_list(paths)}{opts})"


__all__ = ["parquet_sql", "query_arrow", "query_once"]
