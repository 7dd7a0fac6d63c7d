"""Pages per second of a distributed crawl with 1, 2 and 4 workers (Redis + PostgreSQL).

Usage: ``python benchmarks/distributed_throughput.py [--pages 2000] [--workers 1,2,4]``
(servers from ``FANWEN_TEST_REDIS_URL`` / ``FANWEN_TEST_POSTGRES_URL``, else the local
defaults). Prints one line per worker count, then one JSON line:
``{"pages_per_s": {"1": …, "2": …, "4": …}, …}``.

The site is the scaled replica of ``benchmarks/scaled_site.py`` (the replica's own layouts and
texts, ~30 KB pages), generated into a temporary folder and served by
``benchmarks/static_server.py`` in its own process. For each worker count: a fresh PostgreSQL
database and a fresh Redis key prefix; N ``fanwen crawl speeches --redis … --db …`` processes
start and wait on the empty frontier; the start URL is pushed; the clock runs from the push
until the frontier has been drained (the last worker's "frontier empty" log line, less the
idle time it waited). Pages are the responses the workers received (their crawl runs' stats);
the articles stored are checked against the site.

On one machine the workers share its cores with the site server, Redis and PostgreSQL: the
figures measure the shared frontier's overhead and how far one box scales, not a cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

from scaled_site import START_PATHS, build_site  # noqa: E402
from static_server import serving  # noqa: E402

from fanwen_crawler.distributed import push_start_urls, reset_frontier  # noqa: E402

SPIDER = "speeches"
IDLE_CLOSE = 3.0
STOP_LINE = "this worker stops"


class Worker:
    """One `fanwen crawl --redis` process; remembers when it opened and when it went idle."""

    def __init__(self, db: str, redis: str, prefix: str) -> None:
        command = [
            sys.executable,
            "-m",
            "fanwen_crawler.cli",
            "crawl",
            SPIDER,
            "--db",
            db,
            "--redis",
            redis,
            *("-s", f"FANWEN_REDIS_PREFIX={prefix}"),
            *("-s", f"FANWEN_REDIS_IDLE_CLOSE={IDLE_CLOSE:g}"),
            *("-s", "FANWEN_REDIS_POLL=0.2"),
            *("-s", "AUTOTHROTTLE_ENABLED=False"),
            *("-s", "DOWNLOAD_DELAY=0"),
            *("-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"),
            *("-s", "ROBOTSTXT_OBEY=False"),
            *("-s", "LOG_LEVEL=INFO"),
        ]
        self.process = subprocess.Popen(
            command, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.opened = threading.Event()
        self.stopped_at: float | None = None
        self.tail: list[str] = []
        self.reader = threading.Thread(target=self._follow, daemon=True)
        self.reader.start()

    def _follow(self) -> None:
        for line in self.process.stderr:
            self.tail = [*self.tail[-30:], line]
            if "Spider opened" in line:
                self.opened.set()
            if STOP_LINE in line:
                self.stopped_at = time.monotonic()
        self.opened.set()

    def wait(self, timeout: float) -> None:
        self.process.wait(timeout=timeout)
        self.reader.join(timeout=30)
        if self.process.returncode != 0:
            raise SystemExit("a worker failed:\n" + "".join(self.tail))


def run(n: int, site_url: str, server_db: str, redis: str, expected: int) -> dict:
    name = f"fanwen_bench_{secrets.token_hex(4)}"
    admin = create_engine(server_db, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    db = make_url(server_db).set(database=name).render_as_string(hide_password=False)
    prefix = f"{name}:"
    try:
        from fanwen_crawler.db import open_database

        open_database(db).dispose()  # the schema first: not part of the crawl's time
        workers = [Worker(db, redis, prefix) for _ in range(n)]
        for worker in workers:
            worker.opened.wait(timeout=300)
        pushed = time.monotonic()
        push_start_urls(redis, SPIDER, [site_url + START_PATHS[SPIDER]], prefix)
        for worker in workers:
            worker.wait(timeout=3600)
        stops = [w.stopped_at for w in workers if w.stopped_at is not None]
        if not stops:
            raise SystemExit("no worker said it stopped for an empty frontier")
        seconds = max(stops) - IDLE_CLOSE - pushed
        engine = create_engine(db)
        with engine.connect() as connection:
            articles = connection.execute(text("SELECT count(*) FROM articles")).scalar()
            stats = connection.execute(text("SELECT stats FROM crawl_runs")).scalars().all()
        engine.dispose()
        stats = [s if isinstance(s, dict) else json.loads(s) for s in stats]
        pages = sum(int(s.get("response_received_count", 0)) for s in stats)
        conflicts = sum(int(s.get("fanwen/db/conflicts", 0)) for s in stats)
        stages: dict[str, float] = {}  # seconds per pipeline stage, summed over the workers
        for s in stats:
            for key, value in s.items():
                if key.startswith("fanwen/time/") and not key.endswith("/calls"):
                    stage = key.removeprefix("fanwen/time/")
                    stages[stage] = round(stages.get(stage, 0.0) + float(value), 2)
        return {
            "workers": n,
            "pages": pages,
            "articles": articles,
            "expected_articles": expected,
            "seconds": round(seconds, 2),
            "pages_per_s": round(pages / seconds, 1),
            "stage_seconds": stages,
            "conflicts": conflicts,  # batches retried after colliding with another worker's
        }
    finally:
        reset_frontier(redis, SPIDER, prefix)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="article pages of the site")
    parser.add_argument("--workers", default="1,2,4", help="worker counts (default 1,2,4)")
    parser.add_argument(
        "--redis", default=os.environ.get("FANWEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "FANWEN_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
        ),
        help="any database on the server: each run creates and drops its own",
    )
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]

    with tempfile.TemporaryDirectory(prefix="fanwen-scaled-") as folder:
        summary = build_site(Path(folder), args.pages)
        expected = sum(
            1
            for path in Path(folder).rglob("*.htm*")
            if "/nuenian/fanwen/yanjiangzhici/" in path.as_posix()
            and len(path.stem) == 32  # nuenian article pages are <32 hex>.html
        )
        with serving(folder) as served:
            site_url = served.url
            print(f"site: {summary.get('pages', args.pages)} pages at {site_url}", flush=True)
            results = {}
            for n in counts:
                result = run(n, site_url, args.postgres, args.redis, expected)
                results[str(n)] = result
                print(
                    f"{n} worker(s): {result['pages']} pages in {result['seconds']} s = "
                    f"{result['pages_per_s']} pages/s; {result['articles']} of "
                    f"{expected} articles stored; {result['conflicts']} batches retried; "
                    f"stage seconds {result['stage_seconds']}",
                    flush=True,
                )
    print(
        json.dumps(
            {
                "pages_per_s": {n: r["pages_per_s"] for n, r in results.items()},
                "seconds": {n: r["seconds"] for n, r in results.items()},
                "articles_stored": {n: r["articles"] for n, r in results.items()},
                "batches_retried": {n: r["conflicts"] for n, r in results.items()},
                "articles_expected": expected,
                "site_pages": args.pages,
                "cores": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
