"""PostgreSQL on a real server: migrations, models, the corpus view, concurrent writers, and a
real crawl. Each test gets a fresh database ``fanwen_test_<random>`` (dropped afterwards)."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlsplit

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from fanwen_crawler.db import alembic_config, open_database
from fanwen_crawler.fts import include_name
from fanwen_crawler.items import ArticleItem, VariantItem
from fanwen_crawler.models import Base
from fanwen_crawler.paths import DATA_DIR
from fanwen_crawler.pipelines.dedup import DedupPipeline
from fanwen_crawler.pipelines.store import StorePipeline
from fanwen_crawler.spiders.speeches import SpeechesSpider
from fanwen_crawler.storage import CorpusWriter

from conftest import CORPUS_CONTRACT

pytestmark = pytest.mark.postgres

SPEECH = "同志们:今天我们召开全县安全生产工作会议,主要任务是总结上半年工作,部署下一阶段任务。"
OTHER = "各位家长:感谢大家在百忙之中来参加本次家长会,下面我代表班级向大家汇报本学期的情况。"


def article(url: str, *texts: str, html: str = "h") -> ArticleItem:
    item = ArticleItem(
        url=url,
        site="nuenian",
        category="范文/演讲致辞",
        title="安全生产会议讲话",
        variants=[VariantItem(i, f"讲话{i}", [t], text=t) for i, t in enumerate(texts, 1)],
        fetched_at="2026-01-01T00:00:00",
        html_hash=html,
    )
    return DedupPipeline().process_item(item)


def rows(url: str, sql: str, **params):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).all()
    finally:
        engine.dispose()


@pytest.fixture
def pg_engine(fresh_postgres_url):
    engine = open_database(fresh_postgres_url)
    yield engine
    engine.dispose()


def test_migrations_build_the_models_schema_on_postgresql(pg_engine):
    with pg_engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"include_name": include_name}),
            Base.metadata,
        )
    assert diff == []


def test_migrations_go_down_to_nothing_and_up_again(pg_engine):
    config = alembic_config(pg_engine.url.render_as_string(hide_password=False))
    command.downgrade(config, "base")
    with pg_engine.connect() as connection:
        left = connection.execute(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema='public'")
        ).scalars()
        assert set(left) <= {"alembic_version"}
    command.upgrade(config, "head")
    with pg_engine.connect() as connection:
        columns = set(connection.execute(text("SELECT * FROM corpus")).keys())
    assert columns >= set(CORPUS_CONTRACT)


def test_workers_migrating_one_empty_database_at_once_all_succeed(fresh_postgres_url):
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            open_database(fresh_postgres_url).dispose()
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert rows(fresh_postgres_url, "SELECT count(*) AS n FROM alembic_version")[0].n == 1


def test_stored_texts_read_back_through_the_corpus_view(pg_engine):
    writer = CorpusWriter()
    with Session(pg_engine) as session, session.begin():
        writer.write(session, article("https://a.example/1.html", SPEECH, OTHER))
        writer.write(session, article("https://b.example/9.html", SPEECH))
    with pg_engine.connect() as connection:
        corpus = connection.execute(
            text("SELECT url, variant_index, text, char_count FROM corpus ORDER BY id")
        ).all()
        copies = connection.execute(
            text("SELECT count(*) FROM variants WHERE duplicate_of IS NOT NULL")
        ).scalar()
    assert [(r.url, r.variant_index, r.text) for r in corpus] == [
        ("https://a.example/1.html", 1, SPEECH),
        ("https://a.example/1.html", 2, OTHER),
    ]
    assert corpus[0].char_count == len(SPEECH)
    assert copies == 1


def _wait_for_a_blocked_backend(url: str, timeout: float = 30) -> None:
    """Until another session of this database waits on a lock (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = rows(
            url,
            "SELECT count(*) AS n FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )[0].n
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the second writer never waited for the first")


def _store_pipeline(url: str) -> StorePipeline:
    crawler = get_crawler(SpeechesSpider, {"FANWEN_DATABASE_URL": url, "FANWEN_BATCH_SIZE": 100})
    crawler.spider = crawler._create_spider()
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline


def test_two_workers_storing_the_same_page_and_text_at_once_give_one_row_each(
    fresh_postgres_url,
):
    """Worker A holds an open transaction with page 1 (text SPEECH); worker B's batch, with
    the same page and a copy of SPEECH on page 2, must wait, collide, retry and then see A's
    rows: one article row for page 1, one corpus row for SPEECH."""
    open_database(fresh_postgres_url).dispose()
    page, copy = "https://a.example/1.html", "https://c.example/2.html"
    worker_b = _store_pipeline(fresh_postgres_url)
    worker_b.buffer = [article(page, SPEECH), article(copy, SPEECH, OTHER, html="other")]

    engine_a = create_engine(fresh_postgres_url)
    failures: list[BaseException] = []

    def flush_b() -> None:
        try:
            worker_b.flush()
        except BaseException as error:  # collected and asserted below
            failures.append(error)

    with Session(engine_a) as session_a, session_a.begin():
        CorpusWriter().write(session_a, article(page, SPEECH))
        session_a.flush()
        thread = threading.Thread(target=flush_b)
        thread.start()
        _wait_for_a_blocked_backend(fresh_postgres_url)
    thread.join(timeout=60)
    engine_a.dispose()
    worker_b.engine.dispose()

    assert failures == []
    assert worker_b.buffer == []
    urls = [r.url for r in rows(fresh_postgres_url, "SELECT url FROM articles ORDER BY url")]
    assert urls == [page, copy]
    corpus = [r.text for r in rows(fresh_postgres_url, "SELECT text FROM corpus ORDER BY id")]
    assert corpus == [SPEECH, OTHER]
    assert worker_b.crawler.stats.get_value("fanwen/db/conflicts") >= 1


def test_a_real_crawl_into_postgresql_stores_every_article_once(fanwenku_on_postgres):
    """`fanwen crawl fanwenku --db postgresql+psycopg://…` against the served replica."""
    manifest = json.loads((DATA_DIR / "replica" / "manifest.json").read_text(encoding="utf-8"))
    expected = {a["path"]: a for a in manifest["articles"] if a["site"] == "fanwenku"}
    broken = {b["path"]: b["kind"] for b in manifest["broken"] if b["site"] == "fanwenku"}
    db = fanwenku_on_postgres

    stored = rows(db, "SELECT url FROM articles")
    assert sorted(urlsplit(r.url).path for r in stored) == sorted(expected)
    variants = rows(
        db,
        "SELECT a.url, v.variant_index, v.title FROM variants v JOIN articles a "
        "ON a.id = v.article_id ORDER BY a.url, v.variant_index",
    )
    assert sorted((urlsplit(r.url).path, r.variant_index, r.title) for r in variants) == sorted(
        (path, v["index"], v["title"]) for path, a in expected.items() for v in a["variants"]
    )
    errors = rows(db, "SELECT url, kind FROM fetch_errors")
    assert {urlsplit(r.url).path: r.kind for r in errors} == broken
    corpus = rows(db, "SELECT exact_hash, count(*) AS n FROM corpus GROUP BY 1")
    assert corpus and all(r.n == 1 for r in corpus)
    run = rows(db, "SELECT status FROM crawl_runs")
    assert [r.status for r in run] == ["finished"]
