"""Exports of the corpus view: JSON Lines, CSV, Parquet, read back by pandas and DuckDB."""

from __future__ import annotations

import csv
import json

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from corpus_samples import CANONICAL_TEXTS, DRUG, build_corpus, fresh_postgres_schema
from sqlalchemy import text

from fanwen_crawler.cli import main
from fanwen_crawler.db import open_database
from fanwen_crawler.export import UnsafeFilter, _read_only, export, iter_batches

from conftest import CORPUS_CONTRACT, run_fanwen


@pytest.fixture
def corpus(engine):
    build_corpus(engine)
    return engine


def view_columns(engine) -> list[str]:
    with engine.connect() as c:
        return list(c.execute(text("SELECT * FROM corpus")).keys())


def test_jsonl_holds_the_views_rows_and_fields(corpus, tmp_path):
    out = tmp_path / "corpus.jsonl"
    assert export(corpus, "jsonl", out) == CANONICAL_TEXTS
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert list(records[0]) == view_columns(corpus)
    assert [c for c in records[0] if c in CORPUS_CONTRACT] == CORPUS_CONTRACT
    assert records[0]["text"] == DRUG  # Chinese as itself, newlines kept
    assert records[0]["fetched_at"] == "2026-01-02T08:00:00"
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)


def test_csv_round_trips_multiline_chinese_text(corpus, tmp_path):
    out = tmp_path / "corpus.csv"
    export(corpus, "csv", out)
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == CANONICAL_TEXTS and rows[0]["text"] == DRUG
    frame = pd.read_csv(out)
    assert list(frame.columns) == view_columns(corpus)


def test_parquet_is_written_in_row_groups_and_read_by_pandas_and_duckdb(corpus, tmp_path):
    out = tmp_path / "corpus.parquet"
    export(corpus, "parquet", out, batch_size=2)
    assert pq.ParquetFile(out).metadata.num_row_groups == 3  # 5 rows in batches of 2
    frame = pd.read_parquet(out)
    assert list(frame.columns) == view_columns(corpus)
    assert len(frame) == CANONICAL_TEXTS and frame.loc[0, "text"] == DRUG
    assert str(frame["fetched_at"].dtype).startswith("datetime64")
    per_site = duckdb.sql(
        f"SELECT site, count(*) AS n FROM read_parquet('{out}') GROUP BY site ORDER BY site"
    ).fetchall()
    assert per_site == [("fanwenku", 1), ("nuenian", 3), ("wenmi", 1)]


def test_where_filters_the_view(corpus, tmp_path):
    out = tmp_path / "wenmi.jsonl"
    assert export(corpus, "jsonl", out, where="site = 'wenmi' AND char_count > 10") == 1
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["url"] == "https://wenmi.example/yanjiang/3.html"


def test_an_empty_result_is_still_a_readable_parquet_file(corpus, tmp_path):
    out = tmp_path / "none.parquet"
    assert export(corpus, "parquet", out, where="site = 'nowhere'") == 0
    assert list(pd.read_parquet(out).columns) == view_columns(corpus)


@pytest.mark.parametrize(
    "where",
    ["1=1; DELETE FROM variants", "1=1 -- ", "1=1 /* x */", "id > 0) OR (1=1;"],
)
def test_where_that_could_be_more_than_a_filter_is_refused(corpus, tmp_path, where):
    with pytest.raises(UnsafeFilter):
        export(corpus, "jsonl", tmp_path / "x.jsonl", where=where)


def test_the_filter_connection_is_read_only_and_handed_back_writable(corpus):
    with corpus.connect() as c:
        undo = _read_only(c)
        with pytest.raises(Exception, match="readonly"):
            c.execute(text("UPDATE sites SET base_url = 'x'"))
        c.rollback()
        undo()
    list(iter_batches(corpus, where="site = 'wenmi'"))
    with corpus.begin() as c:  # the pooled connection is writable again afterwards
        c.execute(text("UPDATE sites SET base_url = 'x' WHERE id = 1"))


def test_batches_never_exceed_the_batch_size(corpus):
    sizes = [len(rows) for _, rows in iter_batches(corpus, batch_size=2)]
    assert sizes == [2, 2, 1]


def test_fanwen_export_writes_the_file_and_reports(corpus, sqlite_url, tmp_path):
    out = tmp_path / "c.parquet"
    result = run_fanwen("export", str(out), "--db", sqlite_url, "--where", "site = 'nuenian'")
    assert "wrote 3 texts" in result.stderr
    assert len(pd.read_parquet(out)) == 3


def test_fanwen_export_refuses_a_semicolon(corpus, sqlite_url, tmp_path):
    result = CliRunner().invoke(
        main,
        ["export", str(tmp_path / "x.csv"), "--db", sqlite_url, "--where", "1; DROP TABLE sites"],
    )
    assert result.exit_code == 2 and "--where" in result.output
    with corpus.connect() as c:
        assert c.execute(text("SELECT count(*) FROM sites")).scalar() == 3


def test_fanwen_export_explains_a_broken_filter(corpus, sqlite_url, tmp_path):
    result = CliRunner().invoke(
        main,
        ["export", str(tmp_path / "x.csv"), "--db", sqlite_url, "--where", "no_such_column = 1"],
    )
    assert result.exit_code == 2 and "no_such_column" in result.output


@pytest.mark.postgres
def test_postgres_export_streams_read_only(postgres_url, tmp_path):
    with fresh_postgres_schema(postgres_url) as url:
        engine = open_database(url)
        try:
            build_corpus(engine)
            out = tmp_path / "pg.parquet"
            assert export(engine, "parquet", out, batch_size=2) == CANONICAL_TEXTS
            assert pd.read_parquet(out).loc[0, "text"] == DRUG
            with pytest.raises(Exception, match="read-only"):
                list(iter_batches(engine, where="id = nextval('variants_id_seq')"))
        finally:
            engine.dispose()
