"""FANWEN_OFFLOAD: cleaning, dedup and store in a worker process give the same database as
the in-process pipelines, and the crawl run keeps its counts and stats (real crawls of the
replica in child processes)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from fanwen_crawler.offload import DictStats
from fanwen_crawler.replica.server import ReplicaServer

from conftest import crawl_replica

START = "/fanwenku/yanjianggao/"  # continuation pages, near and exact copies


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory):
    urls = {}
    with ReplicaServer() as server:
        for offload in (False, True):
            url = f"sqlite:///{tmp_path_factory.mktemp('offload') / f'{offload}.sqlite'}"
            crawl_replica(server, url, "fanwenku", START, "-s", f"FANWEN_OFFLOAD={offload}")
            urls[offload] = url
    engines = {k: create_engine(u) for k, u in urls.items()}
    yield engines
    for engine in engines.values():
        engine.dispose()


def rows(engine, sql: str):
    with engine.connect() as c:
        return c.execute(text(sql)).all()


def test_offloaded_crawl_stores_the_same_rows(two_crawls):
    corpus = "SELECT url, variant_index, text FROM corpus ORDER BY url, variant_index"
    copies = (
        "SELECT a.url, v.variant_index, v.similarity IS NOT NULL FROM variants v "
        "JOIN articles a ON a.id = v.article_id WHERE v.duplicate_of IS NOT NULL "
        "ORDER BY a.url, v.variant_index"
    )
    errors = "SELECT url, kind FROM fetch_errors ORDER BY url"
    removals = "SELECT count(*) FROM removals"
    for sql in (corpus, copies, errors, removals):
        assert rows(two_crawls[True], sql) == rows(two_crawls[False], sql), sql
    assert rows(two_crawls[True], corpus)


def test_offloaded_crawl_records_its_run_counts_and_worker_stats(two_crawls):
    sql = "SELECT status, counts, stats FROM crawl_runs"
    (status, counts, stats), (_, counts_in_process, _) = (
        rows(two_crawls[True], sql)[0],
        rows(two_crawls[False], sql)[0],
    )
    counts, stats = json.loads(counts), json.loads(stats)
    assert status == "finished"
    assert counts == json.loads(counts_in_process)
    assert counts["articles/new"] > 0 and counts["variants"] > 0
    # The worker's own figures came back into the crawl's stats.
    assert stats["fanwen/articles/new"] == counts["articles/new"]
    assert stats["fanwen/time/near_dup/calls"] > 0
    assert stats["fanwen/boilerplate/removed"] > 0


def test_dict_stats_behaves_like_scrapys_for_the_pipelines():
    stats = DictStats()
    stats.inc_value("a")
    stats.inc_value("a", 2)
    stats.inc_value("t", 0.5, start=0.0)
    stats.set_value("b", "x")
    assert stats.get_stats() == {"a": 3, "t": 0.5, "b": "x"}
    assert stats.get_value("missing", 7) == 7
