"""End to end: `fanwen demo` serves the replica on 127.0.0.1, crawls it, and the database is
checked against the replica's manifest — every article once, every variant as designed, no
boilerplate in the corpus, broken pages recorded as errors and not as rows."""

from __future__ import annotations

import json
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from fanwen_crawler.paths import DATA_DIR

from conftest import run_fanwen

MANIFEST = json.loads((DATA_DIR / "replica" / "manifest.json").read_text(encoding="utf-8"))
ARTICLES = {a["path"]: a for a in MANIFEST["articles"]}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'corpus.sqlite'}"
    result = run_fanwen("demo", "--db", url)
    engine = create_engine(url)
    yield engine, result.stdout
    engine.dispose()


def rows(engine, sql: str, **params):
    with engine.connect() as c:
        return c.execute(text(sql), params).all()


def stored_variants(engine) -> dict[str, list]:
    by_path = defaultdict(list)
    for row in rows(
        engine,
        "SELECT a.url, v.variant_index, v.title, v.text FROM variants v "
        "JOIN articles a ON a.id = v.article_id ORDER BY a.url, v.variant_index",
    ):
        by_path[urlsplit(row.url).path].append(row)
    return by_path


def test_demo_prints_a_summary(demo_db):
    _, stdout = demo_db
    assert "distinct texts" in stdout and "errors" in stdout


def test_every_replica_article_is_stored_once(demo_db):
    engine, _ = demo_db
    paths = [urlsplit(r.url).path for r in rows(engine, "SELECT url FROM articles")]
    assert sorted(paths) == sorted(ARTICLES)


@pytest.mark.parametrize("path", sorted(ARTICLES))
def test_variants_are_split_as_designed(demo_db, path):
    engine, _ = demo_db
    expected = ARTICLES[path]["variants"]
    stored = stored_variants(engine)[path]
    assert [(v.variant_index, v.title) for v in stored] == [
        (e["index"], e["title"]) for e in expected
    ]
    for variant, design in zip(stored, expected, strict=True):
        paragraphs = variant.text.split("\n")
        assert paragraphs[0] == design["first"]
        assert paragraphs[-1] == design["last"]
        assert len(paragraphs) == design["paragraphs"]


def test_no_boilerplate_string_anywhere_in_the_corpus(demo_db):
    engine, _ = demo_db
    corpus = "\n".join(r.text for r in rows(engine, "SELECT text FROM corpus"))
    boilerplate = {b for a in MANIFEST["articles"] for b in a["boilerplate"]}
    assert boilerplate
    assert [b for b in sorted(boilerplate) if b in corpus] == []


def test_seed_page_gives_its_two_speeches(demo_db):
    engine, _ = demo_db
    stored = stored_variants(engine)[
        "/nuenian/fanwen/yanjiangzhici/07d16818ebe34cf828ffd1e42b346479.html"
    ]
    assert [v.title for v in stored] == ["禁毒誓师大会上讲话1", "禁毒誓师大会上讲话2"]
    assert stored[0].text.startswith("同志们:") and stored[0].text.endswith("作出新的更大的贡献!")
    assert stored[1].text.startswith("同志们:")
    assert stored[1].text.endswith("夺取我县禁毒人民战争全面胜利作出新的贡献!")


def test_broken_pages_are_errors_not_rows(demo_db):
    engine, _ = demo_db
    errors = {
        urlsplit(r.url).path: r.kind for r in rows(engine, "SELECT url, kind FROM fetch_errors")
    }
    for broken in MANIFEST["broken"]:
        assert errors.get(broken["path"]) == broken["kind"], broken
    article_paths = {urlsplit(r.url).path for r in rows(engine, "SELECT url FROM articles")}
    assert not article_paths & {b["path"] for b in MANIFEST["broken"]}


def test_a_lying_charset_is_recovered_and_noted(demo_db):
    engine, _ = demo_db
    for page in MANIFEST["recoverable"]:
        (row,) = [
            r
            for r in rows(engine, "SELECT url, encoding, warnings FROM articles")
            if urlsplit(r.url).path == page["path"]
        ]
        assert row.encoding == "gb18030"
        assert "charset_mismatch" in row.warnings


def test_exact_copies_share_one_canonical(demo_db):
    engine, _ = demo_db
    texts = MANIFEST["texts"]
    root = {tid: (t["copy_of"] if t["edit"] == "exact" else tid) for tid, t in texts.items()}
    text_of = {(p, v["index"]): v["text_id"] for p, a in ARTICLES.items() for v in a["variants"]}
    groups = defaultdict(list)
    for row in rows(
        engine,
        "SELECT v.id, a.url, v.variant_index, v.duplicate_of FROM variants v "
        "JOIN articles a ON a.id = v.article_id",
    ):
        groups[root[text_of[(urlsplit(row.url).path, row.variant_index)]]].append(row)
    copied = [g for g in groups.values() if len(g) > 1]
    assert len(copied) >= 6
    for group in copied:
        canonicals = [r for r in group if r.duplicate_of is None]
        assert len(canonicals) == 1, group
        assert all(r.duplicate_of == canonicals[0].id for r in group if r is not canonicals[0])


def test_the_corpus_holds_each_distinct_text_once(demo_db):
    engine, _ = demo_db
    originals = {tid for tid, t in MANIFEST["texts"].items() if t["copy_of"] is None}
    root = {tid: t["copy_of"] or tid for tid, t in MANIFEST["texts"].items()}
    text_of = {(p, v["index"]): v["text_id"] for p, a in ARTICLES.items() for v in a["variants"]}
    stored = [
        root[text_of[(urlsplit(r.url).path, r.variant_index)]]
        for r in rows(engine, "SELECT url, variant_index FROM corpus")
    ]
    # Exact, edited and traditional copies all fold into one canonical each.
    assert sorted(stored) == sorted(originals)


def test_crawling_again_gives_the_same_rows(demo_db):
    engine, _ = demo_db
    before = rows(engine, "SELECT id, url, variant_index, text FROM corpus ORDER BY id")
    run_fanwen("demo", "--db", str(engine.url))
    assert rows(engine, "SELECT id, url, variant_index, text FROM corpus ORDER BY id") == before
    assert rows(engine, "SELECT count(*) AS n FROM crawl_runs")[0].n == 6
