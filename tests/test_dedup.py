"""Near-duplicates in the database: provenance, siblings, hand-over, runs, concurrent workers.

Every test runs on a real SQLite file and on a fresh PostgreSQL schema.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from corpus_samples import fresh_postgres_schema
from dedup_texts import (
    SPEECH_A,
    SPEECH_B,
    article,
    dropped,
    edited,
    joined,
    traditional,
    write,
)
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from fanwen_crawler.cli import REPLICA_SPIDERS, main
from fanwen_crawler.db import open_database
from fanwen_crawler.models import MinHashBand, Variant
from fanwen_crawler.paths import DATA_DIR
from fanwen_crawler.storage import CorpusWriter

from conftest import crawl_replica

TESTS = Path(__file__).resolve().parent
MANIFEST = json.loads((DATA_DIR / "replica" / "manifest.json").read_text(encoding="utf-8"))


def variants(engine) -> list[Variant]:
    with Session(engine) as s:
        return list(s.scalars(select(Variant).order_by(Variant.id)))


def corpus_urls(engine) -> list[str]:
    with engine.connect() as c:
        return [r.url for r in c.execute(text("SELECT url FROM corpus ORDER BY id"))]


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'corpus.sqlite'}"
        return
    postgres = request.getfixturevalue("postgres_url")
    with fresh_postgres_schema(postgres) as url:
        yield url


@pytest.fixture
def db(db_url):
    engine = open_database(db_url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    "copy",
    [edited(SPEECH_A), traditional(SPEECH_A), dropped(SPEECH_A)],
    ids=["edited", "traditional", "paragraph-dropped"],
)
def test_a_copy_on_another_site_points_to_the_first_seen(db, copy):
    write(db, article("https://a.example/1.html", "nuenian", SPEECH_A))
    writer = write(db, article("https://b.example/7.html", "wenmi", copy))
    first, second = variants(db)
    assert first.duplicate_of is None
    assert second.duplicate_of == first.id
    assert 0.5 <= second.similarity <= 1.0
    assert corpus_urls(db) == ["https://a.example/1.html"]
    assert writer.counts["duplicates/near"] + writer.counts["duplicates/exact"] == 1


def test_a_copy_keeps_its_own_text_url_and_site(db):
    write(db, article("https://a.example/1.html", "nuenian", SPEECH_A))
    write(db, article("https://b.example/7.html", "wenmi", traditional(SPEECH_A)))
    with db.connect() as c:
        row = c.execute(
            text(
                "SELECT v.text, a.url, s.name FROM variants v JOIN articles a ON a.id = "
                "v.article_id JOIN sites s ON s.id = a.site_id WHERE v.duplicate_of IS NOT NULL"
            )
        ).one()
    assert row.text == joined(traditional(SPEECH_A))  # stored as crawled: traditional
    assert (row.url, row.name) == ("https://b.example/7.html", "wenmi")


def test_different_speeches_with_one_template_opening_both_stay(db):
    write(db, article("https://a.example/1.html", "nuenian", SPEECH_A))
    write(db, article("https://b.example/2.html", "wenmi", SPEECH_B))
    assert [v.duplicate_of for v in variants(db)] == [None, None]
    assert len(corpus_urls(db)) == 2


def test_near_identical_siblings_of_one_page_stay_apart(db):
    write(db, article("https://a.example/1.html", "nuenian", SPEECH_A, edited(SPEECH_A)))
    assert [v.duplicate_of for v in variants(db)] == [None, None]


def test_identical_siblings_of_one_page_are_merged(db):
    write(db, article("https://a.example/1.html", "nuenian", SPEECH_A, traditional(SPEECH_A)))
    first, second = variants(db)
    assert second.duplicate_of == first.id and second.similarity == 1.0


def test_only_canonicals_are_indexed(db):
    write(db, article("https://a.example/1.html", "nuenian", SPEECH_A))
    write(db, article("https://b.example/7.html", "wenmi", edited(SPEECH_A)))
    first, _ = variants(db)
    with Session(db) as s:
        indexed = set(s.scalars(select(MinHashBand.variant_id)))
    assert indexed == {first.id}


def test_a_higher_threshold_keeps_a_shortened_copy_apart(db):
    write(db, article("https://a.example/1.html", "nuenian", SPEECH_A))
    write(db, article("https://b.example/7.html", "wenmi", dropped(SPEECH_A)), threshold=0.95)
    assert [v.duplicate_of for v in variants(db)] == [None, None]


def test_changed_canonical_hands_over_to_its_oldest_near_copy(db):
    write(db, article("https://a.example/1.html", "nuenian", SPEECH_A, html="v1"))
    write(db, article("https://b.example/2.html", "wenmi", edited(SPEECH_A)))
    write(db, article("https://c.example/3.html", "fanwenku", dropped(SPEECH_A)))
    write(db, article("https://a.example/1.html", "nuenian", SPEECH_B, html="v2"))
    rows = {v.id: v for v in variants(db)}
    by_url = {}
    with Session(db) as s:
        for v in s.scalars(select(Variant)):
            by_url[v.article.url] = v
    heir = by_url["https://b.example/2.html"]
    assert heir.duplicate_of is None
    assert by_url["https://c.example/3.html"].duplicate_of == heir.id
    assert by_url["https://a.example/1.html"].duplicate_of is None  # the new text
    assert len(rows) == 3
    with Session(db) as s:
        assert set(s.scalars(select(MinHashBand.variant_id).distinct())) == {
            heir.id,
            by_url["https://a.example/1.html"].id,
        }


def test_copies_are_found_across_two_separate_writer_processes(sqlite_url):
    """Two runs = two processes over one SQLite file, each with its own engine and writer."""
    open_database(sqlite_url).dispose()
    for keys in (["a"], ["b", "c", "d"]):
        subprocess.run(
            [sys.executable, str(TESTS / "dedup_texts.py"), sqlite_url, *keys],
            check=True,
            timeout=120,
        )
    engine = open_database(sqlite_url)
    try:
        rows = variants(engine)
        assert [v.duplicate_of for v in rows] == [None] + [rows[0].id] * 3
        assert corpus_urls(engine) == ["https://a.example/1.html"]
    finally:
        engine.dispose()


def test_copies_are_found_across_two_separate_engines(db_url):
    for key, copy in (("a", SPEECH_A), ("b", edited(SPEECH_A)), ("c", SPEECH_B)):
        engine = open_database(db_url)
        write(engine, article(f"https://{key}.example/1.html", key, copy))
        engine.dispose()
    engine = open_database(db_url)
    try:
        a, b, c = variants(engine)
        assert (b.duplicate_of, c.duplicate_of) == (a.id, None)
    finally:
        engine.dispose()


def test_replica_copies_are_found_across_two_crawl_runs(replica, sqlite_url):
    """Run 1 crawls one site, run 2 another: each planted copy (exact, edited, traditional)
    joins its original's cluster, and no two different texts are merged."""
    for spider in ("speeches", "wenmi"):
        crawl_replica(replica, sqlite_url, spider, REPLICA_SPIDERS[spider])
    text_of = {
        (a["path"], v["index"]): v["text_id"] for a in MANIFEST["articles"] for v in a["variants"]
    }
    family = {t: info["copy_of"] or t for t, info in MANIFEST["texts"].items()}
    engine = open_database(sqlite_url)
    try:
        with engine.connect() as c:
            rows = c.execute(
                text(
                    "SELECT v.id, v.duplicate_of, v.similarity, v.variant_index, a.url, "
                    "a.run_id FROM variants v JOIN articles a ON a.id = v.article_id"
                )
            ).all()
    finally:
        engine.dispose()
    by_id = {r.id: r for r in rows}
    text_id = {r.id: text_of[(urlsplit(r.url).path, r.variant_index)] for r in rows}
    assert len({r.run_id for r in rows}) == 2
    # precision: every copy points at a text of its own family
    for r in rows:
        if r.duplicate_of is not None:
            assert family[text_id[r.id]] == family[text_id[r.duplicate_of]], text_id[r.id]
            assert by_id[r.duplicate_of].duplicate_of is None
    # recall: every family crawled twice has one canonical and its copies, across the runs
    members: dict[str, list] = {}
    for r in rows:
        members.setdefault(family[text_id[r.id]], []).append(r)
    planted = [m for m in members.values() if len(m) > 1]
    assert len(planted) >= 4  # gq-4 exact, hb-1 / js-3 traditional, seed-2 edited
    for group in planted:
        assert sum(r.duplicate_of is None for r in group) == 1, [text_id[r.id] for r in group]
    assert any(len({r.run_id for r in group}) == 2 for group in planted)


def test_concurrent_writers_of_near_copies_make_one_canonical(postgres_url):
    """Worker 1 holds its transaction open while worker 2 writes a near copy: the advisory
    lock on their shared bucket makes worker 2 wait and then see worker 1's text."""
    with fresh_postgres_schema(postgres_url) as url:
        engine = open_database(url)
        try:
            written = threading.Event()
            errors: list[BaseException] = []

            def first():
                try:
                    writer = CorpusWriter()
                    with Session(engine) as session, session.begin():
                        writer.write(session, article("https://a.example/1.html", "a", SPEECH_A))
                        written.set()
                        # give worker 2 time to reach its lookup before this commits
                        session.execute(text("SELECT pg_sleep(1.0)"))
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)
                    written.set()

            worker = threading.Thread(target=first)
            worker.start()
            written.wait(30)
            write(engine, article("https://b.example/2.html", "b", edited(SPEECH_A)))
            worker.join(30)
            assert not errors
            rows = variants(engine)
            assert [v.duplicate_of for v in rows] == [None, rows[0].id]
            with engine.connect() as c:
                assert c.scalar(select(func.count()).select_from(text("corpus"))) == 1
        finally:
            engine.dispose()


def three_site_cluster(engine) -> None:
    write(engine, article("https://a.example/1.html", "nuenian", SPEECH_A))
    write(engine, article("https://b.example/2.html", "wenmi", edited(SPEECH_A)))
    write(engine, article("https://c.example/3.html", "fanwenku", traditional(SPEECH_A)))
    write(engine, article("https://d.example/4.html", "fanwenku", SPEECH_B))


def test_fanwen_dups_lists_clusters_with_sites_and_urls(db, db_url):
    three_site_cluster(db)
    result = CliRunner().invoke(main, ["dups", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["clusters"], report["copies"], report["exact_copies"]) == (1, 2, 1)
    (cluster,) = report["largest"]
    assert cluster["size"] == 3
    assert cluster["sites"] == ["fanwenku", "nuenian", "wenmi"]
    assert cluster["canonical"]["url"] == "https://a.example/1.html"
    assert [c["url"] for c in cluster["copies"]] == [
        "https://b.example/2.html",
        "https://c.example/3.html",
    ]


def test_fanwen_dups_prints_a_readable_list(db, db_url):
    three_site_cluster(db)
    result = CliRunner().invoke(main, ["dups", "--db", db_url, "--examples", "1"])
    assert result.exit_code == 0, result.output
    assert "1 clusters, 2 copies (1 exact, 1 near)" in result.output
    assert "canonical  https://a.example/1.html" in result.output
    assert "… and 1 more" in result.output


def test_fanwen_dups_reindex_rebuilds_the_band_index(db, db_url):
    write(db, article("https://a.example/1.html", "nuenian", SPEECH_A))
    with db.begin() as c:
        c.execute(text("DELETE FROM minhash_bands"))
    result = CliRunner().invoke(main, ["dups", "--db", db_url, "--reindex"])
    assert result.exit_code == 0, result.output
    write(db, article("https://b.example/2.html", "wenmi", edited(SPEECH_A)))
    first, second = variants(db)
    assert second.duplicate_of == first.id
