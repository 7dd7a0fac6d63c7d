"""docs/schema.md is generated from the models; its example SQL runs on both databases."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from corpus_samples import CANONICAL_TEXTS, build_corpus, fresh_postgres_schema
from sqlalchemy import text

from fanwen_crawler.cli import main
from fanwen_crawler.db import open_database
from fanwen_crawler.models import Base
from fanwen_crawler.queries import QUERIES
from fanwen_crawler.schema_doc import generate

from conftest import PROJECT_DIR

SCHEMA_MD = PROJECT_DIR / "docs" / "schema.md"
PARAMS = {"id": 1, "term": "禁毒", "q": "禁毒誓师"}


def test_committed_schema_doc_equals_a_fresh_generation():
    assert SCHEMA_MD.read_text(encoding="utf-8") == generate(), (
        "docs/schema.md is stale: run `fanwen schema -o docs/schema.md`"
    )


def test_schema_doc_describes_every_table_column_and_the_view():
    page = generate()
    for table in Base.metadata.tables.values():
        assert f"### `{table.name}`" in page
        section = page.split(f"### `{table.name}`")[1].split("\n### ")[0]
        for column in table.columns:
            assert f"| `{column.name}` |" in section, (table.name, column.name)
    assert "## The `corpus` view" in page and "CREATE VIEW corpus" in page
    for query in QUERIES:
        assert query.sql in page


def run_queries(engine, names=None) -> dict[str, list]:
    results = {}
    with engine.connect() as c:
        for query in QUERIES:
            if names is None or query.name in names:
                params = {k: v for k, v in PARAMS.items() if f":{k}" in query.sql}
                results[query.name] = c.execute(text(query.sql), params).all()
    return results


def test_every_example_query_answers_on_sqlite(engine):
    build_corpus(engine)
    results = run_queries(engine)
    assert all(results.values()), [name for name, rows in results.items() if not rows]
    assert sum(r.texts for r in results["texts_per_site_and_category"]) == CANONICAL_TEXTS
    copies = results["copies_of_a_text"]
    assert [r.duplicate_of for r in copies] == [None, 1]  # the speech and its wenmi copy
    assert results["texts_that_mention"][0].mentions == 4


@pytest.mark.postgres
def test_example_queries_answer_on_postgresql(postgres_url):
    with fresh_postgres_schema(postgres_url) as url:
        engine = open_database(url)
        try:
            build_corpus(engine)
            portable = {q.name for q in QUERIES if q.name != "search"}  # search is FTS5
            results = run_queries(engine, portable)
        finally:
            engine.dispose()
    assert all(results.values()), [name for name, rows in results.items() if not rows]
    assert [r.duplicate_of for r in results["copies_of_a_text"]] == [None, 1]


def test_pandas_reads_the_corpus_view(engine):
    build_corpus(engine)
    frame = pd.read_sql("SELECT * FROM corpus", engine)
    assert len(frame) == CANONICAL_TEXTS
    assert frame.groupby("site").size().to_dict() == {"fanwenku": 1, "nuenian": 3, "wenmi": 1}


def test_fanwen_schema_check_flags_a_stale_page(tmp_path: Path):
    stale = tmp_path / "schema.md"
    stale.write_text("old\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["schema", "-o", str(stale), "--check"])
    assert result.exit_code == 1 and "stale" in result.output
    assert CliRunner().invoke(main, ["schema", "-o", str(stale)]).exit_code == 0
    assert stale.read_text(encoding="utf-8") == generate()
