"""Full-text search: Chinese terms of any length, ranking, filters, an index kept in step."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from corpus_samples import DRUG, article, build_corpus, fresh_postgres_schema
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from fanwen_crawler.cli import main
from fanwen_crawler.db import open_database
from fanwen_crawler.fts import search, snippet
from fanwen_crawler.models import Variant
from fanwen_crawler.queries import QUERIES
from fanwen_crawler.storage import CorpusWriter

from conftest import run_fanwen


@pytest.fixture
def corpus(engine):
    build_corpus(engine)
    return engine


def urls(hits):
    return [h.url for h in hits]


def indexed(engine) -> dict[int, str]:
    with engine.connect() as c:
        return dict(c.execute(text("SELECT rowid, text FROM corpus_fts")).all())


def canonical(engine) -> dict[int, str]:
    with engine.connect() as c:
        return dict(c.execute(text("SELECT id, text FROM corpus")).all())


def test_two_character_query_finds_every_text_that_contains_it(corpus):
    hits = search(corpus, "禁毒")
    assert (
        urls(hits)[:2]
        == [
            "https://www.nuenian.example/fanwen/yanjiangzhici/1.html",  # 禁毒 four times
            "https://www.nuenian.example/fanwen/yanjiangzhici/1.html",  # in its title only
        ]
        or urls(hits)[0] == "https://www.nuenian.example/fanwen/yanjiangzhici/1.html"
    )
    assert "https://wenmi.example/yanjiang/3.html" in urls(hits)  # 禁毒宣传月
    assert all("禁毒" in h.text or "禁毒" in h.variant_title for h in hits)
    assert "【禁毒】" in hits[0].snippet


def test_two_character_query_ranks_by_occurrences(corpus):
    hits = search(corpus, "禁毒")
    assert hits[0].text == DRUG
    assert [h.score for h in hits] == sorted(h.score for h in hits)


def test_trigram_query_is_ranked_and_highlighted(corpus):
    hits = search(corpus, "禁毒誓师")
    assert hits[0].text == DRUG
    assert "召开【禁毒誓师】大会" in hits[0].snippet


def test_copies_are_never_hits(corpus):
    # The drug speech was copied onto wenmi (4.html); only the first-seen text is a hit.
    assert "https://wenmi.example/yanjiang/4.html" not in urls(search(corpus, "誓师大会"))
    assert "https://wenmi.example/yanjiang/4.html" not in urls(search(corpus, "禁毒"))


def test_every_term_must_occur(corpus):
    assert urls(search(corpus, "禁毒 动员")) == [
        "https://www.nuenian.example/fanwen/yanjiangzhici/1.html"
    ]
    assert search(corpus, "禁毒 柳树") == []
    assert len(search(corpus, "校园 柳树发")) == 1  # a short and a trigram term together


def test_site_and_category_narrow_the_hits(corpus):
    assert urls(search(corpus, "禁毒", site="wenmi")) == ["https://wenmi.example/yanjiang/3.html"]
    assert {h.category for h in search(corpus, "大会", category="致辞")} == {
        "范文/演讲致辞",
        "演讲稿/致辞",
    }
    assert search(corpus, "柳树", category="工作总结") == []


def test_limit_caps_the_hits(corpus):
    assert len(search(corpus, "。", limit=2)) == 2


@pytest.mark.parametrize("query", ['"', 'a" OR "b', "禁毒 NEAR(", "*", "%", "_", "col:禁毒"])
def test_query_syntax_is_taken_literally(corpus, query):
    assert search(corpus, query) == []


def test_the_index_holds_exactly_the_canonical_texts(corpus):
    assert indexed(corpus) == canonical(corpus)


def test_the_index_follows_inserts_updates_and_deletes(corpus):
    writer = CorpusWriter()
    with Session(corpus) as s, s.begin():
        writer.write(
            s,
            article(
                "https://x.example/1.html", "x", "杂文", "新文", "独一无二的蓝鲸故事。", when=""
            ),
        )
    (hit,) = search(corpus, "蓝鲸")
    assert indexed(corpus) == canonical(corpus)

    # A later near-duplicate pass marks it a copy: it leaves the index …
    with Session(corpus) as s, s.begin():
        s.execute(update(Variant).where(Variant.id == hit.id).values(duplicate_of=1))
    assert search(corpus, "蓝鲸") == [] and indexed(corpus) == canonical(corpus)
    # … and comes back when it is canonical again.
    with Session(corpus) as s, s.begin():
        s.execute(update(Variant).where(Variant.id == hit.id).values(duplicate_of=None))
    assert urls(search(corpus, "蓝鲸故事")) == ["https://x.example/1.html"]

    with Session(corpus) as s, s.begin():
        s.execute(update(Variant).where(Variant.id == hit.id).values(text="改写后的海豚故事。"))
    assert search(corpus, "蓝鲸") == [] and len(search(corpus, "海豚故事")) == 1

    with Session(corpus) as s, s.begin():
        s.execute(Variant.__table__.delete().where(Variant.id == hit.id))
    assert search(corpus, "海豚") == [] and indexed(corpus) == canonical(corpus)


def test_a_changed_canonical_hands_its_place_in_the_index_to_its_copy(corpus):
    # Re-crawling the drug speech with a new text promotes the wenmi copy (storage._retire).
    writer = CorpusWriter()
    with Session(corpus) as s, s.begin():
        writer.write(
            s,
            article(
                "https://www.nuenian.example/fanwen/yanjiangzhici/1.html",
                "nuenian",
                "范文/演讲致辞",
                "禁毒誓师大会上讲话",
                "改版后的讲话。",
                when="2026-02-01T00:00:00",
                html="changed",
            ),
        )
    assert urls(search(corpus, "动员全校")) == ["https://wenmi.example/yanjiang/4.html"]
    assert indexed(corpus) == canonical(corpus)


def test_search_triggers_exist_at_head(engine):
    # A later batch migration that recreates `variants` on SQLite would drop them silently.
    with engine.connect() as c:
        names = set(
            c.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        )
    assert {"corpus_fts_insert", "corpus_fts_update", "corpus_fts_delete"} <= names


def test_search_index_keeps_no_positions_and_answers_like_through_the_index(corpus):
    """Migration 0006: ``detail=none`` (its upkeep stays flat); the documented ``LIKE`` on
    ``corpus_fts`` is handed to FTS5 (its trigrams), not a scan of every text."""
    like = "SELECT rowid FROM corpus_fts WHERE text LIKE '%' || :q || '%'"
    with corpus.connect() as c:
        ddl = c.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'corpus_fts'")
        ).scalar_one()
        plan = " ".join(r[-1] for r in c.execute(text("EXPLAIN QUERY PLAN " + like), {"q": "x"}))
        found = c.execute(text(like), {"q": "禁毒誓师"}).scalars().all()
    assert "detail=none" in ddl
    assert "VIRTUAL TABLE INDEX 0:L" in plan, plan  # the LIKE constraint went to FTS5
    assert sorted(found) == [i for i, t in sorted(canonical(corpus).items()) if "禁毒誓师" in t]
    assert found


def test_a_term_is_found_only_where_it_occurs_whole_not_where_its_trigrams_do(corpus):
    writer = CorpusWriter()
    with Session(corpus) as s, s.begin():  # every trigram of 蓝鲸故事会, never the term
        writer.write(
            s,
            article("https://x.example/2.html", "x", "杂文", "拼", "蓝鲸故事,鲸故事会。", when=""),
        )
    assert search(corpus, "鲸故事") and search(corpus, "蓝鲸故事会") == []


def test_a_term_matches_across_unicode_case_as_the_index_does(corpus):
    writer = CorpusWriter()
    with Session(corpus) as s, s.begin():  # full-width capitals, common in Chinese text
        writer.write(
            s,
            article(
                "https://x.example/3.html", "x", "杂文", "全角", "ＷＯＲＤ文档的说明。", when=""
            ),
        )
    assert urls(search(corpus, "ｗｏｒｄ文档")) == ["https://x.example/3.html"]


def test_the_canned_search_query_takes_percent_and_underscore_literally(corpus):
    sql = next(q.sql for q in QUERIES if q.name == "search")
    with corpus.connect() as c:
        assert c.execute(text(sql), {"q": "禁毒誓师"}).all()
        assert c.execute(text(sql), {"q": "禁毒誓_大会"}).all() == []  # no such text: 誓师
        assert c.execute(text(sql), {"q": "禁毒誓%大会"}).all() == []


def test_search_index_merges_16_segments_at_a_time(engine):
    """Migration 0005: fewer merge levels, so indexing a text costs fewer rewrites."""
    with engine.connect() as c:
        config = dict(c.execute(text("SELECT k, v FROM corpus_fts_config")).all())
    assert config["automerge"] == 16


def test_snippet_marks_every_term_in_its_window():
    assert (
        snippet("甲乙丙丁。禁毒,再禁毒。", ["禁毒"], width=40) == "甲乙丙丁。【禁毒】,再【禁毒】。"
    )
    long = "无关" * 100 + "禁毒" + "无关" * 100
    cut = snippet(long, ["禁毒"], width=20)
    assert cut.startswith("…") and cut.endswith("…") and "【禁毒】" in cut


def test_fanwen_search_prints_ranked_hits_with_snippets(corpus, sqlite_url):
    out = run_fanwen("search", "禁毒", "--db", sqlite_url, "--limit", "2").stdout
    assert out.startswith("1. 禁毒誓师大会上讲话1")
    assert "【禁毒】誓师大会" in out and "2. " in out and "3. " not in out


def test_fanwen_search_json_lines(corpus, sqlite_url):
    import json

    out = CliRunner().invoke(main, ["search", "柳树", "--db", sqlite_url, "--json"]).output
    (hit,) = [json.loads(line) for line in out.splitlines()]
    assert hit["url"] == "https://www.nuenian.example/fanwen/zuowen/2.html"
    assert "【柳树】" in hit["snippet"]


@pytest.mark.postgres
def test_postgres_search_uses_the_trigram_index(postgres_url):
    with fresh_postgres_schema(postgres_url) as url:
        engine = open_database(url)
        try:
            build_corpus(engine)
            assert search(engine, "禁毒誓师")[0].text == DRUG
            short = search(engine, "禁毒")
            assert short[0].text == DRUG and "【禁毒】" in short[0].snippet
            assert "https://wenmi.example/yanjiang/4.html" not in urls(short)
            assert urls(search(engine, "禁毒", site="wenmi")) == [
                "https://wenmi.example/yanjiang/3.html"
            ]
            assert {h.category for h in search(engine, "大会", category="致辞")} == {
                "范文/演讲致辞",
                "演讲稿/致辞",
            }
            # On a few rows the planner rightly prefers a scan; take its other ways away (in a
            # transaction rolled back) to show the view's query shape can use the index.
            with engine.connect() as c:
                c.exec_driver_sql("SET LOCAL enable_seqscan = off")
                c.exec_driver_sql("DROP INDEX ix_variants_duplicate_of")
                plan = "\n".join(
                    c.execute(
                        text("EXPLAIN SELECT id FROM corpus WHERE text ILIKE :p"),
                        {"p": "%禁毒誓师%"},
                    ).scalars()
                )
                c.rollback()
            assert "ix_variants_text_trgm" in plan
        finally:
            engine.dispose()
