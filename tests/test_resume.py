"""Resume: a crawl stopped halfway — killed outright or stopped cleanly — and then run again
with `fanwen crawl --resume` ends with exactly the rows of an uninterrupted crawl: no article
lost, no row doubled, and the pages the first process had stored are not fetched again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from fanwen_crawler.paths import DATA_DIR
from fanwen_crawler.replica.server import ReplicaServer

from conftest import PROJECT_DIR, QUIET_LOCAL, crawl_replica

LISTING = "/nuenian/fanwen/yanjiangzhici/"
MANIFEST = json.loads((DATA_DIR / "replica" / "manifest.json").read_text(encoding="utf-8"))
ARTICLES = {a["path"] for a in MANIFEST["articles"] if a["site"] == "nuenian"}


class SlowReplica(ReplicaServer):
    """The replica, answering article pages only after ``delay`` seconds."""

    delay = 0.0

    def count(self, path: str) -> int:
        seen = super().count(path)  # counted on arrival, before the wait
        if path in ARTICLES:
            time.sleep(self.delay)
        return seen


def rows(url: str, sql: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql))]
    finally:
        engine.dispose()


def corpus_rows(url: str) -> dict[str, list]:
    """Articles and variants, keyed by URL path (ids and times differ between databases)."""
    return {
        "articles": sorted(
            (urlsplit(u).path, t, h)
            for u, t, h in rows(url, "SELECT url, title, content_hash FROM articles")
        ),
        "variants": sorted(
            (urlsplit(u).path, i, t, x, d is None)
            for u, i, t, x, d in rows(
                url,
                "SELECT a.url, v.variant_index, v.title, v.text, v.duplicate_of "
                "FROM variants v JOIN articles a ON a.id = v.article_id",
            )
        ),
    }


def stored_count(url: str) -> int:
    try:
        return rows(url, "SELECT count(*) FROM articles")[0][0]
    except Exception:  # the crawl has not created the schema yet
        return 0


@pytest.fixture(scope="module")
def reference(tmp_path_factory, replica):
    """The rows of one uninterrupted crawl."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'corpus.sqlite'}"
    crawl_replica(replica, url, "speeches", LISTING)
    return corpus_rows(url)


@pytest.mark.parametrize(
    "stop, state",
    [(signal.SIGKILL, "recovered"), (signal.SIGTERM, "resumed")],
    ids=["sigkill", "sigterm"],
)
def test_stopped_crawl_resumes_to_the_uninterrupted_rows(tmp_path, reference, stop, state):
    url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    jobdir = tmp_path / "job"
    with SlowReplica() as server:
        args = [
            sys.executable, "-m", "fanwen_crawler.cli", "crawl", "speeches",
            "--start-url", server.url + LISTING, "--db", url, "--resume", "--jobdir", str(jobdir),
            *QUIET_LOCAL, "-s", "FANWEN_BATCH_SIZE=3", "-s", "CONCURRENT_REQUESTS=1",
        ]  # fmt: skip
        server.delay = 0.25
        first = subprocess.Popen(args, cwd=PROJECT_DIR, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while stored_count(url) < 6 and first.poll() is None:
                assert time.monotonic() < deadline, "the first crawl stored nothing"
                time.sleep(0.1)
            first.send_signal(stop)
            first.communicate(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
        stored_before = stored_count(url)
        assert 6 <= stored_before < len(ARTICLES), "stop the crawl halfway"
        assert json.loads((jobdir / "fanwen-running.json").read_text()) if stop == signal.SIGKILL \
            else not (jobdir / "fanwen-running.json").exists()  # fmt: skip

        server.delay = 0.0
        server.hits.clear()
        resumed = crawl_replica(
            server, url, "speeches", LISTING, "--resume", "--jobdir", str(jobdir)
        )
        assert f"({state})" in resumed.stderr
        refetched = sum(n for path, n in server.hits.items() if path in ARTICLES)

    assert corpus_rows(url) == reference
    # Only the articles the stopped process had not committed were fetched again.
    assert refetched == len(ARTICLES) - stored_before
    assert not jobdir.exists()  # a finished crawl leaves no state behind
    runs = rows(url, "SELECT status, finish_reason FROM crawl_runs ORDER BY id")
    assert runs[-1] == ("finished", "finished")
    assert runs[0][0] == "interrupted"
    if stop == signal.SIGKILL:
        assert runs[0][1].startswith("stale: process ") and "is gone" in runs[0][1]
    else:
        assert runs[0][1] == "shutdown"


def test_a_crawl_cannot_start_in_the_job_directory_of_a_live_one(tmp_path, replica):
    jobdir = tmp_path / "job"
    jobdir.mkdir()
    (jobdir / "fanwen-running.json").write_text(
        json.dumps({"host": os.uname().nodename, "pid": os.getppid()})
    )
    result = crawl_replica(
        replica, f"sqlite:///{tmp_path / 'c.sqlite'}", "speeches", LISTING,
        "--resume", "--jobdir", str(jobdir), check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "is running in" in result.stderr


def test_only_runs_whose_process_is_gone_are_marked_interrupted(engine):
    from datetime import timedelta

    from sqlalchemy.orm import Session

    from fanwen_crawler.models import CrawlRun
    from fanwen_crawler.runs import mark_stale_runs, whoami
    from fanwen_crawler.storage import utcnow

    me, old = whoami(), (utcnow() - timedelta(hours=2)).isoformat()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout  # fmt: skip
    runs = {
        "dead here": {"host": me["host"], "pid": int(dead), "heartbeat": utcnow().isoformat()},
        "alive here": {"host": me["host"], "pid": os.getppid(), "heartbeat": old},
        "this process": {**me, "heartbeat": old},  # another spider of this process
        "earlier process, same pid": {**me, "process": "killed-before", "heartbeat": old},
        "silent elsewhere": {"host": "crawler-9", "pid": 1, "heartbeat": old},
        "beating elsewhere": {"host": "crawler-9", "pid": 1, "heartbeat": utcnow().isoformat()},
    }
    with Session(engine) as session, session.begin():
        for name, stats in runs.items():
            session.add(CrawlRun(spider=name, started_at=utcnow(), status="running", stats=stats))
    with Session(engine) as session, session.begin():
        mark_stale_runs(session, stale_after=3600)
    with Session(engine) as session:
        status = {r.spider: (r.status, r.finish_reason) for r in session.query(CrawlRun)}
    assert status["dead here"] == (
        "interrupted",
        f"stale: process {int(dead)} on {me['host']} is gone",
    )
    assert status["alive here"] == ("running", None)
    assert status["this process"] == ("running", None)
    assert status["earlier process, same pid"][0] == "interrupted"
    assert status["silent elsewhere"][0] == "interrupted"
    assert status["silent elsewhere"][1].startswith("stale: no heartbeat since ")
    assert status["beating elsewhere"] == ("running", None)
