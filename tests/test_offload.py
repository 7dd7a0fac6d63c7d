"""FANWEN_OFFLOAD: cleaning, dedup and store in a worker process give the same database as
the in-process pipelines, and the crawl run keeps its counts and stats (real crawls of the
replica in child processes)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from corpus_samples import article
from sqlalchemy import create_engine, text

from fanwen_crawler.offload import DictStats, Offloader
from fanwen_crawler.replica.server import ReplicaServer

from conftest import PROJECT_DIR, crawl_replica

START = "/fanwenku/yanjianggao/"  # continuation pages, near and exact copies


def crawled_with_and_without_offload(tmp_path_factory, crawl):
    """Run ``crawl(server, url, offload)`` into a fresh database each way; yield their engines
    keyed by ``offload``."""
    urls = {}
    with ReplicaServer() as server:
        for offload in (False, True):
            url = f"sqlite:///{tmp_path_factory.mktemp('offload') / f'{offload}.sqlite'}"
            crawl(server, url, offload)
            urls[offload] = url
    engines = {k: create_engine(u) for k, u in urls.items()}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory):
    def crawl(server, url, offload):
        crawl_replica(server, url, "fanwenku", START, "-s", f"FANWEN_OFFLOAD={offload}")

    yield from crawled_with_and_without_offload(tmp_path_factory, crawl)


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


# The replica's three spiders in one Scrapy process, as `fanwen demo` runs them.
THREE_SPIDERS = """
import sys
from fanwen_crawler.cli import LOCAL_SETTINGS, REPLICA_SPIDERS, project_settings, run_spiders
base, url, offload = sys.argv[1:]
settings = project_settings(url, {**LOCAL_SETTINGS, "FANWEN_OFFLOAD": offload})
jobs = [(spider, {"start_url": base + path}) for spider, path in REPLICA_SPIDERS.items()]
print(run_spiders(settings, jobs))
"""


@pytest.fixture(scope="module")
def three_spider_crawls(tmp_path_factory):
    def crawl(server, url, offload):
        result = subprocess.run(
            [sys.executable, "-c", THREE_SPIDERS, server.url, url, str(offload)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "['finished', 'finished', 'finished']", result.stderr

    yield from crawled_with_and_without_offload(tmp_path_factory, crawl)


def test_three_spiders_share_one_offload_worker_and_store_what_the_crawl_stores(
    three_spider_crawls,
):
    offloaded, in_process = three_spider_crawls[True], three_spider_crawls[False]
    runs = rows(offloaded, "SELECT spider, status, counts, stats FROM crawl_runs ORDER BY spider")
    assert [(spider, status) for spider, status, _, _ in runs] == [
        ("fanwenku", "finished"),
        ("speeches", "finished"),
        ("wenmi", "finished"),
    ]
    pids = {json.loads(stats)["fanwen/offload/worker_pid"] for _, _, _, stats in runs}
    # the crawl's start-up objects were frozen out of the collector's passes (gcfreeze.py)
    assert all(json.loads(stats)["fanwen/gc/frozen_objects"] > 10_000 for *_, stats in runs)
    assert len(pids) == 1  # one worker served the three runs
    expected = rows(in_process, "SELECT spider, counts FROM crawl_runs ORDER BY spider")
    # Each run keeps its own counts, as in one process (which copy of a text crawled by two
    # spiders at once is seen first may differ, so new/duplicate splits are not compared).
    for (spider, _, counts, _), (_, counts_in_process) in zip(runs, expected, strict=True):
        counts, counts_in_process = json.loads(counts), json.loads(counts_in_process)
        for key in ("articles/new", "variants", "errors", "pages/fetched"):
            assert counts[key] == counts_in_process[key] > 0, (spider, key)
    for sql in (
        "SELECT count(*) FROM corpus",
        "SELECT count(*) FROM variants",
        "SELECT url FROM articles ORDER BY url",
        "SELECT url, kind FROM fetch_errors ORDER BY url",
    ):
        assert rows(offloaded, sql) == rows(in_process, sql), sql
    assert rows(offloaded, "SELECT count(*) FROM corpus")[0][0] > 50


def test_dict_stats_behaves_like_scrapys_for_the_pipelines():
    stats = DictStats()
    stats.inc_value("a")
    stats.inc_value("a", 2)
    stats.inc_value("t", 0.5, start=0.0)
    stats.set_value("b", "x")
    assert stats.get_stats() == {"a": 3, "t": 0.5, "b": "x"}
    assert stats.get_value("missing", 7) == 7


def test_a_failing_run_is_reported_to_its_own_crawl_and_the_worker_serves_the_others(tmp_path):
    url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    offloader = Offloader.shared(url, maxsize=10)
    assert Offloader.shared(url, maxsize=10) is offloader
    config = {"url": url, "batch_size": 5, "retries": 0, "retry_delay": 0, "run_id": 1}
    offloader.open(1, {**config, "threshold": 7.0})  # not a similarity: the run fails to open
    offloader.open(2, {**config, "threshold": 0.5, "run_id": 2})
    stats = offloader.close(2)
    assert stats["fanwen/offload/worker_pid"] == offloader.process.pid
    assert offloader.close(1) == {}
    assert "THRESHOLD" in offloader.errors[1] and 2 not in offloader.errors
    assert not offloader.process.is_alive()  # the last run closed: the worker stopped
    assert Offloader.shared(url, maxsize=10) is not offloader
    Offloader.shared(url, maxsize=10).close(3)  # closing an unknown run stops it too


def test_a_run_that_fails_mid_crawl_is_stopped_at_its_next_hand_over(tmp_path):
    """The worker drops a failed run's items, so the queue never fills: the crawl must hear
    of the failure from the worker's report, within about a second."""
    url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    offloader = Offloader.shared(url, maxsize=10)
    config = {"url": url, "batch_size": 1, "retries": 0, "retry_delay": 0, "threshold": 0.5}
    offloader.open(99, {**config, "run_id": 99})  # no such crawl run: its first batch fails
    item = article("https://x.example/1.html", "x", "杂文", "题", "禁毒宣传进校园。", when="")
    handed_over = 0
    with pytest.raises(RuntimeError, match="database unavailable"):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            offloader.put(99, item)
            handed_over += 1
            time.sleep(0.01)
    assert handed_over < 1000  # stopped long before the deadline, not by it
    assert offloader.close(99) == {} and not offloader.process.is_alive()


@pytest.mark.parametrize("offload", [False, True])
def test_offloading_leaves_cleaning_and_dedup_out_of_the_crawls_item_chain(offload):
    """The worker cleans and hashes: in the crawl's process those pipelines are not built
    (NotConfigured: Scrapy leaves them out of the chain), so an item passes two pipelines
    instead of four."""
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from fanwen_crawler.pipelines.clean import CleanPipeline
    from fanwen_crawler.pipelines.dedup import DedupPipeline
    from fanwen_crawler.pipelines.validate import ValidatePipeline

    crawler = get_crawler(settings_dict={"FANWEN_OFFLOAD": offload})
    assert ValidatePipeline.from_crawler(crawler) is not None
    for pipeline in (CleanPipeline, DedupPipeline):
        if offload:
            with pytest.raises(NotConfigured):
                pipeline.from_crawler(crawler)
        else:
            assert pipeline.from_crawler(crawler).stats is crawler.stats
