"""Faults on the replica, each recorded with its reason while the crawl goes on: 404, 500
then success (retried), a timeout, a redirect loop, truncated HTML, an empty body, a lying
charset, a non-HTML content type, a huge page, and a database that is locked for a while."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest
from scrapy import Spider
from scrapy.exceptions import CloseSpider
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, text

from fanwen_crawler.db import make_engine, migrate, open_database
from fanwen_crawler.items import FetchErrorItem
from fanwen_crawler.pipelines.store import StorePipeline

from conftest import PROJECT_DIR, QUIET_LOCAL, crawl_replica

NUENIAN = "/nuenian/fanwen/yanjiangzhici/"
GOOD = NUENIAN + "07d16818ebe34cf828ffd1e42b346479.html"
FAULTS = {  # path → the error kind it must be recorded as
    NUENIAN + "f9d5cff56829e1bc53897a6360f28095.html": "http_404",
    NUENIAN + "3ac001b630c8875db684577c12e22d5f.html": "truncated",
    "/wenmi/a/3199.html": "empty",
    "/faults/slow.html?s=8": "timeout",
    "/faults/binary.pdf": "not_html",
    "/faults/huge.html": "too_large",
}


def rows(url: str, sql: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql))]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    from fanwen_crawler.replica.server import ReplicaServer

    url = f"sqlite:///{tmp_path_factory.mktemp('faults') / 'corpus.sqlite'}"
    with ReplicaServer() as server:
        pages = [*FAULTS, "/faults/loop.html", "/faults/flaky.html", GOOD]
        crawl_replica(
            server, url, "speeches", NUENIAN,
            "-a", "article_url=" + " ".join(server.url + p for p in pages),
            "-s", "DOWNLOAD_TIMEOUT=4", "-s", "RETRY_TIMES=2",
        )  # fmt: skip
        charset = crawl_replica(server, url, "wenmi", "/wenmi/yanjiang/list_1.html")
        hits = dict(server.hits)
    errors = {}
    for u, kind, reason in rows(url, "SELECT url, kind, reason FROM fetch_errors"):
        errors[u.removeprefix(server.url)] = (kind, reason)
    return {"url": url, "errors": errors, "hits": hits, "base": server.url, "charset": charset}


@pytest.mark.parametrize("path", sorted(FAULTS))
def test_a_fault_is_recorded_with_its_kind_and_reason(fault_crawl, path):
    kind, reason = fault_crawl["errors"][path]
    assert kind == FAULTS[path]
    assert reason


def test_a_redirect_loop_is_recorded(fault_crawl):
    loops = {p: e for p, e in fault_crawl["errors"].items() if p.startswith("/faults/loop")}
    assert [kind for kind, _ in loops.values()] == ["redirect_loop"]
    assert "redirect loop" in next(iter(loops.values()))[1]


def test_a_flaky_page_is_retried_and_stored(fault_crawl):
    assert fault_crawl["hits"]["/faults/flaky.html"] == 3  # 500, 500, then the article
    assert "/faults/flaky.html" not in fault_crawl["errors"]
    stored = {r[0] for r in rows(fault_crawl["url"], "SELECT url FROM articles")}
    assert fault_crawl["base"] + "/faults/flaky.html" in stored


def test_the_crawl_goes_on_after_the_faults(fault_crawl):
    stored = {r[0] for r in rows(fault_crawl["url"], "SELECT url FROM articles")}
    assert fault_crawl["base"] + GOOD in stored
    ((status, reason, counts),) = rows(
        fault_crawl["url"], "SELECT status, finish_reason, counts FROM crawl_runs WHERE id = 1"
    )
    assert (status, reason) == ("finished", "finished")
    assert '"errors/timeout": 1' in counts and '"errors/redirect_loop": 1' in counts


def test_a_lying_charset_is_read_as_gb18030_and_noted(fault_crawl):
    ((encoding, warnings),) = rows(
        fault_crawl["url"],
        "SELECT encoding, warnings FROM articles WHERE url LIKE '%/wenmi/a/3123.html'",
    )
    assert encoding == "gb18030" and "charset_mismatch" in warnings


def test_a_database_locked_for_a_while_makes_items_wait_then_be_written(tmp_path, replica):
    url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    open_database(url).dispose()
    lock = sqlite3.connect(tmp_path / "corpus.sqlite", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    crawl = subprocess.Popen(
        [
            sys.executable, "-m", "fanwen_crawler.cli", "crawl", "speeches",
            "--start-url", replica.url + NUENIAN, "--db", url, *QUIET_LOCAL,
            "-s", "FANWEN_BATCH_SIZE=2",
        ],
        cwd=PROJECT_DIR, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(3)  # the crawl opens, fetches and waits for the lock
        lock.execute("ROLLBACK")
        _, stderr = crawl.communicate(timeout=120)
    finally:
        lock.close()
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 0, stderr
    assert rows(url, "SELECT count(*) FROM articles") == [(18,)]
    assert rows(url, "SELECT status FROM crawl_runs") == [("finished",)]


def test_a_database_away_too_long_stops_the_crawl_clearly_with_nothing_half_written(tmp_path):
    path = tmp_path / "corpus.sqlite"
    url = f"sqlite:///{path}"
    crawler = get_crawler(
        Spider, {"FANWEN_DATABASE_URL": url, "FANWEN_DB_RETRIES": 1, "FANWEN_DB_RETRY_DELAY": 0}
    )
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.engine = make_engine(url, connect_args={"timeout": 0.2})
    migrate(pipeline.engine)
    errors = [
        FetchErrorItem(url=f"http://x/{i}", kind="http_404", reason="HTTP 404") for i in (1, 2)
    ]
    pipeline.buffer.extend(errors)
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(CloseSpider) as stopped:
            pipeline.flush()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert stopped.value.reason == "database unavailable: database is locked"
    assert rows(url, "SELECT count(*) FROM fetch_errors") == [(0,)]  # the batch is whole or not
    assert pipeline.buffer == errors  # the items wait
    pipeline.flush()
    assert rows(url, "SELECT count(*) FROM fetch_errors") == [(2,)]
    pipeline.engine.dispose()
