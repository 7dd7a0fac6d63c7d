"""Crawl-run bookkeeping: a run's row, its heartbeat, its counts, and stale runs.

A run is ``running`` from its start until the store pipeline closes it as ``finished``,
``failed`` or ``interrupted`` (Ctrl-C, SIGTERM). A process killed outright (SIGKILL, power
loss) cannot close its run, so every run records who runs it in ``stats`` while it runs
(``{"host", "pid", "process", "heartbeat"}``, the heartbeat moved every
``FANWEN_RUN_HEARTBEAT`` seconds). When a crawl starts, ``mark_stale_runs`` turns a
``running`` run ``interrupted`` when its process is gone (same host, the pid no longer exists,
or it is this process's pid but another process's token: a killed crawler's pid reused, as a
container's crawler is pid 1 every time) or when its heartbeat is older than
``FANWEN_RUN_STALE_AFTER`` seconds (another host). The runs of other spiders of this very
process (``fanwen demo`` runs three) are alive. Its ``finished_at`` is then the
last heartbeat, the last moment it was known alive.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanwen_crawler.models import CrawlRun
from fanwen_crawler.storage import utcnow

STATUSES = ("running", "finished", "failed", "interrupted")
PROCESS_TOKEN = uuid.uuid4().hex  # this process, told apart from an earlier one with its pid
# Scrapy finish reasons that mean "stopped on purpose, can be resumed".
INTERRUPT_REASONS = {"shutdown", "cancelled"}


def run_status(reason: str | None) -> str:
    if reason == "finished":
        return "finished"
    return "interrupted" if reason in INTERRUPT_REASONS else "failed"


def whoami() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid(), "process": PROCESS_TOKEN}


def pid_alive(pid: int) -> bool:
    """Is a process of this host still running under that pid (our own pid: a reused one)?"""
    if pid == os.getpid():
        return False  # a reused pid: this process has only just started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _heartbeat(run: CrawlRun) -> datetime:
    value = (run.stats or {}).get("heartbeat")
    return datetime.fromisoformat(value) if value else run.started_at


def mark_stale_runs(session: Session, stale_after: float = 3600.0) -> list[int]:
    """Mark ``running`` runs whose process is gone ``interrupted``; return their ids."""
    me = whoami()
    now = utcnow()
    marked = []
    for run in session.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
        info = run.stats or {}
        beat = _heartbeat(run)
        if info.get("host") == me["host"] and isinstance(info.get("pid"), int):
            if info["pid"] == me["pid"]:  # another spider of this process, or a reused pid
                gone = info.get("process") != me["process"]
            else:
                gone = not pid_alive(info["pid"])
            why = f"process {info['pid']} on {info['host']} is gone"
        else:
            gone = now - beat > timedelta(seconds=stale_after)
            why = f"no heartbeat since {beat:%Y-%m-%d %H:%M:%S}"
        if gone:
            run.status = "interrupted"
            run.finish_reason = f"stale: {why}"
            run.finished_at = beat
            marked.append(run.id)
    return marked


def begin_run(session: Session, spider: str, **extra: Any) -> int:
    run = CrawlRun(
        spider=spider,
        started_at=utcnow(),
        status="running",
        stats={**whoami(), "heartbeat": utcnow().isoformat(), **extra},
    )
    session.add(run)
    session.flush()
    return run.id


def beat(session: Session, run_id: int, counts: Mapping[str, int]) -> None:
    """The run is alive: move its heartbeat and store its counts so far."""
    run = session.get(CrawlRun, run_id)
    if run is None or run.status != "running":
        return
    run.stats = {**(run.stats or {}), "heartbeat": utcnow().isoformat()}
    run.counts = dict(counts)


def end_run(
    session: Session, run_id: int, reason: str, counts: Mapping[str, int], stats: dict
) -> str:
    run = session.get(CrawlRun, run_id)
    if run is None:
        return ""
    run.finished_at = utcnow()
    run.status = run_status(reason)
    run.finish_reason = reason
    run.counts = dict(counts)
    run.stats = stats
    return run.status


def run_counts(writer_counts: Mapping[str, int], stats: Mapping[str, Any]) -> dict[str, int]:
    """The run's counts: what the store wrote, plus what the downloader fetched or skipped."""
    counts = {k: int(v) for k, v in writer_counts.items()}
    counts["pages/fetched"] = int(stats.get("downloader/response_count", 0))
    for key in ("not_due", "not_modified", "conditional"):
        counts[f"pages/{key}"] = int(stats.get(f"fanwen/pages/{key}", 0))
    counts["pages/skipped_unchanged"] = (
        counts["pages/not_due"] + counts["pages/not_modified"] + counts.get("articles/unchanged", 0)
    )
    for key in ("new", "updated", "unchanged"):
        counts.setdefault(f"articles/{key}", 0)
    counts.setdefault("variants", 0)
    counts["errors"] = sum(v for k, v in counts.items() if k.startswith("errors/"))
    return dict(sorted(counts.items()))
