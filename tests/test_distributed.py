"""The proof of a distributed crawl: three `fanwen crawl --redis` worker processes share one
frontier in a real Redis and one real PostgreSQL database, crawl the replica, and the corpus
equals a single-process crawl's — the same texts, no row doubled, no article lost — also when
one worker is killed (SIGKILL) halfway and a sweep runs after the others.

Each test uses its own Redis key prefix and its own database, and removes both afterwards."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from fanwen_crawler.cli import main
from fanwen_crawler.distributed import frontier_counts, reset_frontier

from conftest import PROJECT_DIR, QUIET_LOCAL, fresh_postgres_database, need_server, run_fanwen

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# The spider of conftest's fanwenku_on_postgres (the single-process crawl); its articles have
# continuation pages, whose requests carry the article's state through Redis.
SPIDER = "fanwenku"
START = "/fanwenku/yanjianggao/"
WORKERS = 3
TIMEOUT = 180  # seconds a worker may take, at most; the crawl itself takes a few


def rows(url: str, sql: str):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).all()
    finally:
        engine.dispose()


def corpus_picture(url: str) -> dict:
    """What must be equal between two crawls of the same site, whatever the order of work.

    Canonicals depend on which copy was stored first, so copies are compared as clusters
    (each variant with its canonical), not by which member is the canonical.
    """
    path = {r.id: urlsplit(r.url).path for r in rows(url, "SELECT id, url FROM articles")}
    variants = rows(
        url,
        "SELECT id, article_id, variant_index, title, text, duplicate_of FROM variants",
    )
    key = {v.id: (path[v.article_id], v.variant_index) for v in variants}
    clusters = defaultdict(set)
    for v in variants:
        clusters[v.duplicate_of or v.id].add(key[v.id])
    return {
        "articles": sorted(
            (path[r.id], r.title, r.category)
            for r in rows(url, "SELECT id, title, category FROM articles")
        ),
        "variants": sorted((key[v.id], v.title, v.text) for v in variants),
        "clusters": sorted(sorted(c) for c in clusters.values()),
        "corpus_rows": rows(url, "SELECT count(*) AS n FROM corpus")[0].n,
        "errors": sorted(
            (urlsplit(r.url).path, r.kind) for r in rows(url, "SELECT url, kind FROM fetch_errors")
        ),
    }


def doubled_rows(url: str) -> list:
    """Rows that exist twice: an article URL, or a text in the corpus."""
    return rows(
        url,
        "SELECT url AS what, count(*) AS n FROM articles GROUP BY url HAVING count(*) > 1 "
        "UNION ALL SELECT exact_hash, count(*) FROM corpus GROUP BY exact_hash "
        "HAVING count(*) > 1",
    )


@pytest.fixture(scope="module")
def server_urls():
    return (
        need_server("FANWEN_TEST_POSTGRES_URL", "PostgreSQL"),
        need_server("FANWEN_TEST_REDIS_URL", "Redis"),
    )


@pytest.fixture(scope="module")
def single_process(fanwenku_on_postgres):
    """The reference: one plain `fanwen crawl` of the site into its own database."""
    return corpus_picture(fanwenku_on_postgres)


@pytest.fixture
def job(server_urls):
    """A Redis key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"fanwen_test_{secrets.token_hex(4)}:"
    yield prefix
    reset_frontier(server_urls[1], SPIDER, prefix)


def worker_command(db: str, redis: str, prefix: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "fanwen_crawler.cli",
        "crawl",
        SPIDER,
        "--db",
        db,
        "--redis",
        redis,
        *QUIET_LOCAL,
        "-s",
        "LOG_LEVEL=DEBUG",  # the test follows each worker's log
        "-s",
        f"FANWEN_REDIS_PREFIX={prefix}",
        "-s",
        "FANWEN_REDIS_IDLE_CLOSE=4",
        "-s",
        "FANWEN_REDIS_POLL=0.2",
        # Few requests in hand per worker, a little delay: the work spreads over the workers.
        "-s",
        "CONCURRENT_REQUESTS=2",
        "-s",
        "DOWNLOAD_DELAY=0.1",
        *extra,
    ]


class Worker:
    """A `fanwen crawl --redis` process whose log the test follows.

    ``kill_at_article=N``: SIGKILL it when it has scraped its Nth article. With a large
    FANWEN_BATCH_SIZE it has committed nothing then, so it surely holds articles that are in
    the shared dupefilter and in no table (and maybe popped requests): a loss to make good.
    """

    def __init__(self, command: list[str], kill_at_article: int = 0) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        self.kill_at_article = kill_at_article
        self.lines: list[str] = []
        self.opened = threading.Event()
        self.scraped = threading.Event()  # its first article
        self.killed = threading.Event()
        self.reader = threading.Thread(target=self._follow, daemon=True)
        self.reader.start()

    def _follow(self) -> None:
        articles = 0
        for line in self.process.stderr:
            self.lines.append(line)
            if "Spider opened" in line:
                self.opened.set()
            if "ArticleItem(" in line:
                articles += 1
                self.scraped.set()
                if articles == self.kill_at_article:
                    self.process.send_signal(signal.SIGKILL)
                    self.killed.set()
        self.opened.set()  # ended before it opened (or scraped): nobody waits for ever
        self.scraped.set()

    def log(self) -> str:
        return "".join(line for line in self.lines[-60:] if "Item(" not in line)

    def wait(self) -> int:
        """Its exit code, once it has stopped by itself (or been killed)."""
        try:
            self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"a worker did not stop by itself:\n{self.log()}") from None
        self.reader.join(timeout=30)
        return self.process.returncode


def workers_that_stored(db: str) -> int:
    return rows(db, "SELECT count(DISTINCT run_id) AS n FROM articles")[0].n


def test_three_workers_build_the_same_corpus_as_one_process(
    server_urls, replica, single_process, job
):
    postgres, redis = server_urls
    with fresh_postgres_database(postgres) as db:
        workers = [Worker(worker_command(db, redis, job)) for _ in range(WORKERS)]
        for worker in workers:
            assert worker.opened.wait(timeout=TIMEOUT)
        # All three wait on the shared frontier; the start URL is pushed to Redis.
        pushed = CliRunner().invoke(
            main, ["push", SPIDER, replica.url + START, "--redis", redis, "--prefix", job]
        )
        assert pushed.exit_code == 0, pushed.output
        for worker in workers:
            assert worker.wait() == 0, worker.log()

        assert corpus_picture(db) == single_process
        assert doubled_rows(db) == []
        assert workers_that_stored(db) >= 2  # the work was shared, not done by one
        runs = rows(db, "SELECT status FROM crawl_runs")
        assert [r.status for r in runs] == ["finished"] * WORKERS
    frontier = frontier_counts(redis, SPIDER, job)
    assert (frontier["requests"], frontier["start_urls"]) == (0, 0)
    assert frontier["seen"] > len(single_process["articles"])  # articles and listings


def test_a_worker_killed_halfway_loses_nothing_once_the_sweep_has_run(
    server_urls, replica, single_process, job
):
    postgres, redis = server_urls
    start = ["--start-url", replica.url + START]  # every worker is given it: fetched once
    with fresh_postgres_database(postgres) as db:
        # The victim starts first, and the others join it once it has scraped an article:
        # started together, the others drained the small site before the slowed victim
        # reached its second article (seen once in CI), and it was never killed.
        victim = Worker(
            worker_command(
                db, redis, job, *start, "-s", "FANWEN_BATCH_SIZE=1000", "-s", "DOWNLOAD_DELAY=0.3"
            ),
            kill_at_article=2,
        )
        assert victim.scraped.wait(timeout=TIMEOUT)
        others = [
            Worker(worker_command(db, redis, job, *start, "-s", "FANWEN_BATCH_SIZE=2"))
            for _ in range(WORKERS - 1)
        ]
        assert victim.wait() == -signal.SIGKILL, "the victim scraped too little:\n" + victim.log()
        for worker in others:
            assert worker.wait() == 0, worker.log()

        # What scrapy-redis loses with a dead worker: its popped requests and its uncommitted
        # items. Their fingerprints are in the dupefilter, so the others never fetch them.
        expected = {path for path, _, _ in single_process["articles"]}
        stored = {urlsplit(r.url).path for r in rows(db, "SELECT url FROM articles")}
        missing = expected - stored
        assert missing, "the killed worker's article should be missing before the sweep"
        assert doubled_rows(db) == []
        # The victim may also have held a page that gives a fetch error (a 404, an empty page):
        # not stored either, so the sweep fetches it too.
        recorded = {urlsplit(r.url).path for r in rows(db, "SELECT url FROM fetch_errors")}
        missing_errors = {path for path, _ in single_process["errors"]} - recorded

        run_fanwen("crawl", SPIDER, *start, "--db", db, "--sweep", *QUIET_LOCAL)
        (sweep,) = rows(db, "SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")
        stats = sweep.stats if isinstance(sweep.stats, dict) else json.loads(sweep.stats)
        # the missing ones, no more
        assert stats["fanwen/sweep/fetched"] == len(missing | missing_errors)
        assert stats["fanwen/sweep/skipped"] >= len(expected) - len(missing)

        assert corpus_picture(db) == single_process
        assert doubled_rows(db) == []


def test_a_worker_without_its_redis_says_so_and_fails(tmp_path):
    result = CliRunner().invoke(
        main,
        ["crawl", SPIDER, "--db", str(tmp_path / "c.sqlite"), "--redis", "redis://127.0.0.1:1/0"],
    )
    assert result.exit_code == 1
    assert "Redis at redis://127.0.0.1:1/0" in result.output


def test_sweep_and_resume_are_for_one_plain_process(tmp_path):
    db = str(tmp_path / "c.sqlite")
    for flag in ("--sweep", "--resume"):
        result = CliRunner().invoke(
            main, ["crawl", SPIDER, "--db", db, "--redis", "redis://x", flag]
        )
        assert result.exit_code == 2 and "drop --redis" in result.output


def test_push_takes_only_http_urls():
    result = CliRunner().invoke(main, ["push", SPIDER, "ftp://x/", "--redis", "redis://x"])
    assert result.exit_code == 2 and "not an http(s) URL" in result.output
