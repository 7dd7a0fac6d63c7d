"""Incremental re-crawls against the replica: stored article pages are skipped until due,
then fetched with If-None-Match/If-Modified-Since; a 304 only moves `last_seen`; a changed
page updates its row and keeps its earlier text; every run is recorded with its counts."""

from __future__ import annotations

import json
import shutil

import pytest
from corpus_samples import DRUG, article
from scrapy import Request
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from fanwen_crawler.db import open_database
from fanwen_crawler.middlewares.incremental import IncrementalMiddleware, NotDue, StoredUrls
from fanwen_crawler.paths import DATA_DIR
from fanwen_crawler.replica.server import ReplicaServer
from fanwen_crawler.storage import CorpusWriter

from conftest import crawl_replica, run_fanwen

LISTING = "/nuenian/fanwen/yanjiangzhici/"
MANIFEST = json.loads((DATA_DIR / "replica" / "manifest.json").read_text(encoding="utf-8"))
ARTICLES = {a["path"] for a in MANIFEST["articles"] if a["site"] == "nuenian"}


def rows(url: str, sql: str, **params) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def article_hits(server) -> int:
    return sum(n for path, n in server.hits.items() if path in ARTICLES)


def last_run_counts(url: str) -> dict:
    (counts,) = rows(url, "SELECT counts FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    return json.loads(counts) if isinstance(counts, str) else counts


@pytest.fixture(scope="module")
def three_crawls(tmp_path_factory):
    """One database, crawled three times: first, again at once, again with everything due."""
    url = f"sqlite:///{tmp_path_factory.mktemp('incremental') / 'corpus.sqlite'}"
    result = {"url": url, "hits": [], "seen": [], "counts": []}
    with ReplicaServer() as server:
        for extra in ([], [], ["-s", "FANWEN_RECRAWL_AFTER=0"]):
            server.hits.clear()
            crawl_replica(server, url, "speeches", LISTING, *extra)
            result["hits"].append(article_hits(server))
            result["seen"].append(dict(rows(url, "SELECT url, last_seen FROM articles")))
            result["counts"].append(last_run_counts(url))
    return result


def test_a_second_crawl_of_an_unchanged_site_sends_few_article_requests(three_crawls):
    first, second, _ = three_crawls["hits"]
    assert first == len(ARTICLES)
    assert second <= first // 10
    assert three_crawls["counts"][1]["pages/not_due"] == len(ARTICLES)


def test_listing_pages_are_always_fetched(three_crawls):
    counts = three_crawls["counts"]
    listings = len(MANIFEST["sites"]["nuenian"]["listing_paths"])
    assert counts[1]["pages/fetched"] >= listings


def test_due_pages_are_asked_conditionally_and_a_304_moves_last_seen_only(three_crawls):
    url = three_crawls["url"]
    assert three_crawls["hits"][2] == len(ARTICLES)  # all due: asked again, conditionally
    counts = three_crawls["counts"][2]
    assert counts["pages/conditional"] == counts["pages/not_modified"] == len(ARTICLES)
    assert counts["articles/new"] == counts["articles/updated"] == counts["variants"] == 0
    before, after = three_crawls["seen"][1], three_crawls["seen"][2]
    assert before.keys() == after.keys()
    assert all(str(after[u]) > str(before[u]) for u in before)
    assert rows(url, "SELECT count(*) FROM article_versions") == [(0,)]


def test_every_run_is_recorded_with_its_counts(three_crawls):
    url = three_crawls["url"]
    listed = [
        json.loads(line) for line in run_fanwen("runs", "--db", url, "--json").stdout.splitlines()
    ]
    assert [r["status"] for r in listed] == ["finished"] * 3
    first = listed[-1]["counts"]
    assert first["articles/new"] == len(ARTICLES)
    assert first["variants"] >= len(ARTICLES)
    assert first["errors/http_404"] == 1 and first["errors/truncated"] == 1
    table = run_fanwen("runs", "--db", url).stdout
    assert "finished" in table and "skipped" in table


def test_a_changed_page_updates_its_row_and_keeps_its_earlier_text(tmp_path):
    root = tmp_path / "replica"
    shutil.copytree(DATA_DIR / "replica", root)
    url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    page = "/nuenian/fanwen/yanjiangzhici/07d16818ebe34cf828ffd1e42b346479.html"
    with ReplicaServer(root=root) as server:
        crawl_replica(server, url, "speeches", LISTING)
        path = root / page.lstrip("/")
        html = path.read_text(encoding="utf-8")
        assert "同志们:" in html
        path.write_text(html.replace("同志们:", "各位同志:", 1), encoding="utf-8")
        server.hits.clear()
        crawl_replica(server, url, "speeches", LISTING, "-s", "FANWEN_RECRAWL_AFTER=0")
    counts = last_run_counts(url)
    assert counts["articles/updated"] == 1
    assert counts["pages/not_modified"] == len(ARTICLES) - 1
    ((old,),) = rows(
        url,
        "SELECT v.variants FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "WHERE a.url = :u",
        u=server.url + page,
    )
    old = json.loads(old) if isinstance(old, str) else old
    assert old[0]["text"].startswith("同志们:")
    (now,) = rows(
        url,
        "SELECT v.text FROM variants v JOIN articles a ON a.id = v.article_id "
        "WHERE a.url = :u AND v.variant_index = 1",
        u=server.url + page,
    )
    assert now[0].startswith("各位同志:")


def test_only_urls_stored_when_the_spider_opened_are_looked_up(tmp_path):
    """The stored URLs are read once; a page not among them goes out without a query."""
    url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    stored = "https://www.nuenian.example/fanwen/yanjiangzhici/1.html"
    engine = open_database(url)
    with Session(engine) as session, session.begin():
        when = "2026-11-29T10:00:00"
        CorpusWriter().write(session, article(stored, "nuenian", "范文", "讲话", DRUG, when=when))
    engine.dispose()

    middleware = IncrementalMiddleware.from_crawler(
        get_crawler(settings_dict={"FANWEN_DATABASE_URL": url, "FANWEN_RECRAWL_AFTER": 3650})
    )
    middleware.spider_opened()
    queries: list[str] = []
    event.listen(middleware.engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
    try:
        assert len(middleware.stored_urls) == 1
        assert middleware.process_request(Request(stored.replace("1.html", "2.html"))) is None
        assert queries == []
        with pytest.raises(NotDue):
            middleware.process_request(Request(stored))
        assert len(queries) == 1 and "FROM articles" in queries[0]
    finally:
        middleware.spider_closed()

    urls = StoredUrls([f"https://a.example/{n}.html" for n in range(1000)])
    assert all(f"https://a.example/{n}.html" in urls for n in range(1000))
    assert not any(f"https://a.example/{n}.html" in urls for n in range(1000, 2000))
    assert "https://a.example/1.html" not in StoredUrls([])


def test_without_the_stored_urls_every_request_is_looked_up_and_a_failed_look_up_fetches(
    tmp_path,
):
    """The stored URLs cannot be read (here: the table is gone): a warning, then each request
    is looked up as before; a look-up that fails too lets the page be fetched."""
    url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    engine = open_database(url)
    with engine.begin() as connection:
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        connection.execute(text("DROP TABLE articles"))
    engine.dispose()
    crawler = get_crawler(settings_dict={"FANWEN_DATABASE_URL": url})
    middleware = IncrementalMiddleware.from_crawler(crawler)
    middleware.spider_opened()
    try:
        assert middleware.stored_urls is None
        assert middleware.process_request(Request("https://a.example/1.html")) is None
        assert crawler.stats.get_value("fanwen/incremental/lookup_failed") == 1
    finally:
        middleware.spider_closed()
