"""Resumable crawls: `fanwen crawl --resume` keeps a crawl's state in a job directory.

The job directory (default ``data/jobs/<spider>``) is Scrapy's ``JOBDIR``: the pending
requests, the seen-request fingerprints and the spider's state, written when the crawl
closes. A marker file (``fanwen-running.json``) sits in it while a crawl runs:

* the crawl finishes → the directory is removed; the next ``--resume`` starts afresh;
* the crawl is stopped cleanly (Ctrl-C, SIGTERM: Scrapy closes and saves its queue) → the
  marker goes; ``--resume`` continues from Scrapy's saved queue;
* the process is killed (SIGKILL, power loss) → the marker stays. Scrapy's state is then not
  trustworthy (queuelib writes a disk queue's size header, and the scheduler its
  ``active.json``, only on close, while ``requests.seen`` is written as requests are
  scheduled: pages in flight and items not yet committed would be marked seen yet never
  stored). ``--resume`` discards that state and walks the listings again; every article the
  killed crawl committed is skipped by the incremental middleware (stored, not yet due), so
  only the pages it had not stored are fetched. The database is the record of work done.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from fanwen_crawler.runs import pid_alive, whoami
from fanwen_crawler.storage import utcnow

DEFAULT_JOBS_DIR = Path("data") / "jobs"
MARKER = "fanwen-running.json"


class JobBusy(RuntimeError):
    """Another live process is crawling in this job directory."""


@dataclass
class Job:
    path: Path
    state: str  # fresh | resumed (clean stop) | recovered (the last process was killed)

    @property
    def marker(self) -> Path:
        return self.path / MARKER


def job_path(spider: str, explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit) if explicit else DEFAULT_JOBS_DIR / spider


def open_job(path: Path, resume: bool) -> Job:
    """Prepare the job directory: keep, discard or create Scrapy's state; write the marker."""
    marker = path / MARKER
    if marker.exists():
        try:
            owner = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            owner = {}
        if owner.get("host") == whoami()["host"] and pid_alive(int(owner.get("pid", 0))):
            raise JobBusy(f"a crawl (pid {owner['pid']}) is running in {path}")
    has_state = path.is_dir() and any(p.name != MARKER for p in path.iterdir())
    if not resume:
        state = "fresh"
    elif marker.exists():
        state = "recovered"
    elif has_state:
        state = "resumed"
    else:
        state = "fresh"
    if state != "resumed" and path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    marker.write_text(
        json.dumps({**whoami(), "started": utcnow().isoformat(), "state": state}),
        encoding="utf-8",
    )
    return Job(path, state)


def close_job(job: Job, reason: str) -> None:
    """After Scrapy closed: a finished crawl leaves nothing; a stopped one leaves its state."""
    if reason == "finished":
        shutil.rmtree(job.path, ignore_errors=True)
    else:
        job.marker.unlink(missing_ok=True)
