"""Streaming exports of the ``corpus`` view: JSON Lines, CSV, Parquet.

Rows come through a server-side cursor (``stream_results`` + ``yield_per``) in batches and go
straight to the file, so memory stays flat whatever the corpus size; Parquet is written one
row group per batch with pyarrow. The fields are the view's own columns, in its order.

``where`` is an analyst's SQL expression, a filter over the view and nothing else: it is
wrapped as ``SELECT * FROM corpus WHERE (<where>)``, may not contain ``;`` or a comment, and
runs on a read-only connection (SQLite ``PRAGMA query_only``, PostgreSQL ``READ ONLY``
transaction), so it can read but never change the database.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, text

FORMATS = ("jsonl", "csv", "parquet")
FORBIDDEN = (";", "--", "/*", "*/")


class UnsafeFilter(ValueError):
    """A --where expression that could be more than a filter."""


def check_where(where: str | None) -> str | None:
    if where is None or not where.strip():
        return None
    for token in FORBIDDEN:
        if token in where:
            raise UnsafeFilter(
                f"--where may not contain {token!r}: it is one filter expression over the "
                "corpus view (use char(59) for a literal semicolon)"
            )
    return where.strip()


def corpus_sql(where: str | None, *, count: bool = False) -> str:
    where = check_where(where)
    clause = f" WHERE ({where})" if where else ""
    if count:
        return f"SELECT count(*) FROM corpus{clause}"
    return f"SELECT * FROM corpus{clause} ORDER BY id"


def _read_only(connection: Connection) -> Callable[[], None]:
    """Make the connection's work read-only; returns the undo for pooled connections."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")
        return lambda: connection.exec_driver_sql("PRAGMA query_only = OFF")
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    return lambda: None


def count_rows(engine: Engine, where: str | None = None) -> int:
    with engine.connect() as connection:
        undo = _read_only(connection)
        try:
            return connection.execute(text(corpus_sql(where, count=True))).scalar_one()
        finally:
            connection.rollback()
            undo()


def iter_batches(
    engine: Engine, where: str | None = None, batch_size: int = 5000
) -> Iterator[tuple[list[str], list[tuple]]]:
    """(column names, rows) batches of the corpus view, from a server-side cursor."""
    query = text(corpus_sql(where)).columns(fetched_at=DateTime())
    with engine.connect() as connection:
        undo = _read_only(connection)
        try:
            result = connection.execution_options(
                stream_results=True, yield_per=batch_size
            ).execute(query)
            columns = list(result.keys())
            for partition in result.partitions():
                yield columns, [tuple(row) for row in partition]
        finally:
            connection.rollback()
            undo()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class JsonlWriter:
    def __init__(self, path: Path) -> None:
        self.file = path.open("w", encoding="utf-8", newline="\n")

    def write(self, columns: list[str], rows: list[tuple]) -> None:
        for row in rows:
            record = {c: _plain(v) for c, v in zip(columns, row, strict=True)}
            self.file.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.file.close()


class CsvWriter:
    def __init__(self, path: Path) -> None:
        self.file = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file)
        self.header = False

    def write(self, columns: list[str], rows: list[tuple]) -> None:
        if not self.header:
            self.writer.writerow(columns)
            self.header = True
        self.writer.writerows([_plain(v) for v in row] for row in rows)

    def close(self) -> None:
        self.file.close()


# Arrow types of the contract's columns; a column the view gains later is inferred.
ARROW_TYPES = {
    "id": "int64",
    "url": "string",
    "site": "string",
    "category": "string",
    "article_title": "string",
    "variant_index": "int64",
    "variant_title": "string",
    "text": "string",
    "char_count": "int64",
    "fetched_at": "timestamp[us]",
    "article_id": "int64",
    "exact_hash": "string",
}


class ParquetWriter:
    """One row group per batch; the schema is fixed by the first batch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer = None
        self.schema = None

    def _schema(self, columns: list[str], rows: list[tuple]):
        import pyarrow as pa

        fields = []
        for i, name in enumerate(columns):
            if name in ARROW_TYPES:
                kind = pa.type_for_alias(ARROW_TYPES[name])
            else:
                kind = pa.array([row[i] for row in rows]).type
                if pa.types.is_null(kind):
                    kind = pa.string()
            fields.append(pa.field(name, kind))
        return pa.schema(fields)

    def write(self, columns: list[str], rows: list[tuple]) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as error:
            raise RuntimeError(
                "Parquet needs pyarrow: pip install 'fanwen-crawler[export]'"
            ) from error

        if self.writer is None:
            self.schema = self._schema(columns, rows)
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        arrays = [
            pa.array([row[i] for row in rows], type=field.type)
            for i, field in enumerate(self.schema)
        ]
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def open_writer(fmt: str, path: Path):
    if fmt == "jsonl":
        return JsonlWriter(path)
    if fmt == "csv":
        return CsvWriter(path)
    if fmt == "parquet":
        return ParquetWriter(path)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def export(
    engine: Engine,
    fmt: str,
    path: Path,
    where: str | None = None,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the corpus view (filtered by ``where``) to ``path``; returns the rows written."""
    check_where(where)
    writer = open_writer(fmt, path)
    written = 0
    columns: list[str] = []
    try:
        for columns, rows in iter_batches(engine, where, batch_size):
            writer.write(columns, rows)
            written += len(rows)
            if progress:
                progress(len(rows))
        if fmt == "parquet" and written == 0:
            _empty_parquet(path, columns)
    finally:
        writer.close()
    return written


def _empty_parquet(path: Path, columns: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = columns or list(ARROW_TYPES)
    schema = pa.schema(
        [pa.field(n, pa.type_for_alias(ARROW_TYPES.get(n, "string"))) for n in names]
    )
    pq.write_table(schema.empty_table(), path)
