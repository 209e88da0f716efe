"""How a batch of observations is cut into partitions and cleared of repeated keys.

Observation files live in ``observations/quantity=Q/month=YYYY-MM/``; these pure
functions over Arrow tables route a conformed batch there and drop repeated
``(sensor_id, time)`` keys within it (the first occurrence wins).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.store.schema import iso_utc


def n_distinct(col: pa.ChunkedArray) -> int:
    """Number of distinct values (dictionary columns counted by their used indices).

    Parameters
    ----------
    col : pyarrow.ChunkedArray
        Any column; dictionary columns are counted without decoding.

    Returns
    -------
    int
        How many different values occur.
    """
    if pa.types.is_dictionary(col.type):
        col = pa.chunked_array(col.chunks, type=col.type).unify_dictionaries().combine_chunks()
        return int(np.count_nonzero(np.bincount(col.indices.to_numpy(zero_copy_only=False))))
    return int(pc.count_distinct(col).as_py())


def split_by_quantity(table: pa.Table) -> list[tuple[str, pa.Table]]:
    """One sub-table per quantity, in quantity order.

    The column is dictionary-encoded and batches usually hold one quantity each (one
    per importer column), so most batches are routed without copying.

    Parameters
    ----------
    table : pyarrow.Table
        A conformed observation table.

    Returns
    -------
    list of (str, pyarrow.Table)
        ``(quantity, rows of that quantity)``.
    """
    groups: dict[str, list[pa.RecordBatch]] = {}
    for batch in table.to_batches():
        col = batch.column(batch.schema.get_field_index("quantity"))
        if not pa.types.is_dictionary(col.type):
            col = pc.dictionary_encode(col)
        idx = col.indices.to_numpy(zero_copy_only=False)
        names = col.dictionary.to_pylist()
        if idx.size and idx.min() == idx.max():
            groups.setdefault(names[int(idx[0])], []).append(batch)
            continue
        for k in np.unique(idx):
            groups.setdefault(names[int(k)], []).append(batch.filter(pa.array(idx == k)))
    return [(q, pa.Table.from_batches(bs, schema=table.schema)) for q, bs in sorted(groups.items())]


def split_by_month(qtable: pa.Table) -> list[tuple[int, pa.Table]]:
    """One sub-table per calendar month (UTC) of ``time``, keyed ``year * 100 + month``.

    Parameters
    ----------
    qtable : pyarrow.Table
        A non-empty observation table (usually of one quantity).

    Returns
    -------
    list of (int, pyarrow.Table)
        ``(YYYYMM, rows of that month)`` in month order; the table itself when it
        covers a single month.
    """
    lo, hi = (v.as_py() for v in pc.min_max(qtable["time"]).values())
    if (lo.year, lo.month) == (hi.year, hi.month):
        return [(lo.year * 100 + lo.month, qtable)]
    months = pc.add(pc.multiply(pc.year(qtable["time"]), 100), pc.month(qtable["time"])).to_numpy()
    return [(int(m), qtable.filter(months == m)) for m in np.unique(months)]


def time_span(table: pa.Table) -> tuple[str, str]:
    """First and last ``time`` of a non-empty table, as manifest text (:func:`iso_utc`)."""
    return iso_utc(pc.min(table["time"]).as_py()), iso_utc(pc.max(table["time"]).as_py())


def observation_entry(
    rel: str, quantity: str, tmin: str, tmax: str, table: pa.Table, batch: str
) -> dict[str, object]:
    """The manifest entry of one observation file.

    Parameters
    ----------
    rel : str
        Store-relative path of the file.
    quantity : str
        Its quantity.
    tmin, tmax : str
        Its time span as manifest text.
    table : pyarrow.Table
        Its rows (counted, and their distinct sensors).
    batch : str
        The writing transaction's batch id.

    Returns
    -------
    dict
        ``path, quantity, tmin, tmax, rows, sensors, batch``.
    """
    return {
        "path": rel,
        "quantity": quantity,
        "tmin": tmin,
        "tmax": tmax,
        "rows": table.num_rows,
        "sensors": n_distinct(table["sensor_id"]),
        "batch": batch,
    }


def partition_dir(quantity: str, month: int) -> str:
    """The store-relative folder of a quantity's month (``YYYYMM``).

    Examples
    --------
    >>> partition_dir("pm2_5", 202507)
    'observations/quantity=pm2_5/month=2025-07'
    """
    return f"observations/quantity={quantity}/month={month // 100:04d}-{month % 100:02d}"


def sorted_unique(part: pa.Table) -> tuple[pa.Table, int]:
    """Order rows by sensor then time (unless they already are) and drop repeated keys.

    Rows count as ordered when each sensor's rows are contiguous and ascending in time;
    then no sort is needed. The first of equal keys is kept.

    Parameters
    ----------
    part : pyarrow.Table
        Conformed observations of one quantity (``sensor_id`` dictionary-encoded).

    Returns
    -------
    pyarrow.Table
        The ordered rows without repeated ``(sensor_id, time)``.
    int
        How many rows were dropped as repeats.
    """
    n = part.num_rows
    if n < 2:
        return part, 0

    def keys(tbl: pa.Table) -> tuple[np.ndarray, np.ndarray]:
        sid = tbl.unify_dictionaries()["sensor_id"].combine_chunks()
        codes = sid.indices.to_numpy(zero_copy_only=False)
        return codes, tbl["time"].combine_chunks().cast(pa.int64()).to_numpy()

    codes, t = keys(part)
    same = codes[1:] == codes[:-1]
    runs = 1 + int((~same).sum())
    ordered = runs == np.count_nonzero(np.bincount(codes)) and bool(
        np.all(~same | (t[1:] >= t[:-1]))
    )
    if not ordered:
        order = np.lexsort((t, codes))
        part = part.take(pa.array(order))
        codes, t = codes[order], t[order]
        same = codes[1:] == codes[:-1]
    dup = np.zeros(n, dtype=bool)
    dup[1:] = same & (t[1:] == t[:-1])
    k = int(dup.sum())
    return (part.filter(~dup) if k else part), k


__all__ = [
    "n_distinct",
    "observation_entry",
    "partition_dir",
    "sorted_unique",
    "split_by_month",
    "split_by_quantity",
    "time_span",
]
