"""FANWEN_OFFLOAD: cleaning, hashing and storing in a second process (the crawl's second core).

With ``FANWEN_OFFLOAD = True`` the crawl's own process keeps downloading, following links and
extracting (the spider's callbacks, unchanged) and validating; each valid item is pickled into
a bounded queue (``FANWEN_OFFLOAD_QUEUE`` items: when the writer falls behind, the crawl
waits, so memory stays flat). One worker process per database, shared by all the spiders of
the crawl's process (``fanwen demo`` runs three), runs the *same* pipeline code on it:
``CleanPipeline`` → ``DedupPipeline`` → ``StorePipeline``'s batched, retried transactions
through ``CorpusWriter``. In the crawl's process the clean and dedup pipelines are not built
(``NotConfigured``), and the store pipeline only hands items over.

Why extraction stays in the crawl's process: it reuses the parse the spider needs anyway to
follow links, and it balances the two cores. Measured per page (docs/performance.md, fifth
pass), the crawl's process spends ~4.5 ms (Scrapy and the parse ~3 ms, extraction ~0.7 ms,
the item's way to this queue the rest) and the worker ~4.5 ms (cleaning, hashing,
near-duplicate look-ups, SQL); moving extraction would parse every page twice and make the
worker the limit.

What the worker counted comes back: the store's counts after every batch (for the run's
heartbeat) and, when the spider closes, its counts and its stats (``fanwen/time/clean``,
``fanwen/time/near_dup``, ``fanwen/boilerplate/removed``, …), merged into the crawl's stats
before the crawl run is closed. A crash loses what a crash always lost: the items not yet
committed, which the next run fetches again (the incremental middleware only skips stored
articles). Items seen by ``item_scraped`` signal handlers (feed exports) are the extracted,
not yet cleaned, ones in this mode.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue as queue_module
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from fanwen_crawler.db import open_database
from fanwen_crawler.gcfreeze import freeze_start_up_objects
from fanwen_crawler.neardup import NearDupIndex, band_layout
from fanwen_crawler.pipelines.clean import CleanPipeline
from fanwen_crawler.pipelines.dedup import DedupPipeline
from fanwen_crawler.pipelines.store import StorePipeline
from fanwen_crawler.textnorm import comparison_form
from fanwen_crawler.timing import timed

logger = logging.getLogger(__name__)

DONE = None  # the sentinel: no more items
POLL_EVERY = 1.0  # seconds between looks at the worker's reports while handing items over


class DictStats:
    """The part of Scrapy's stats collector that pipelines use, as a plain dict."""

    def __init__(self) -> None:
        self._stats: dict[str, Any] = {}

    def get_value(self, key: str, default: Any = None) -> Any:
        return self._stats.get(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self._stats[key] = value

    def inc_value(self, key: str, count: float = 1, start: float = 0) -> None:
        self._stats[key] = self._stats.get(key, start) + count

    def get_stats(self) -> dict[str, Any]:
        return self._stats


class _Crawler:
    """What StorePipeline needs of a crawler, in the worker."""

    def __init__(self, stats: DictStats) -> None:
        self.stats = stats


class _Run:
    """One crawl run's pipelines in the worker: its own cleaning (the learned boilerplate is
    per crawl), stats and store, over the worker's one database engine."""

    def __init__(self, engine, config: dict[str, Any]) -> None:
        self.stats = DictStats()
        self.clean, self.dedup = CleanPipeline(self.stats), DedupPipeline(self.stats)
        self.store = StorePipeline(
            _Crawler(self.stats),
            config["url"],
            config["batch_size"],
            config["retries"],
            config["retry_delay"],
        )
        self.store.writer.index = NearDupIndex(config["threshold"])
        self.store.writer.run_id = config["run_id"]
        self.store.engine = engine

    def process(self, item: Any) -> bool:
        """Clean, hash and store one item; True when that committed a batch."""
        before = sum(self.store.writer.counts.values())
        self.store.process_item(self.dedup.process_item(self.clean.process_item(item)))
        return sum(self.store.writer.counts.values()) != before

    def close(self) -> dict[str, Any]:
        with timed(self.stats, "store"):
            self.store.flush()
        self.stats.set_value("fanwen/offload/worker_pid", os.getpid())  # shared: one per process
        return self.stats.get_stats()


def run_worker(items, results, url: str) -> None:
    """The worker process: serve every run of the crawl's process until the sentinel.

    Messages in: ``("open", run_id, config)``, ``("item", run_id, item)``,
    ``("close", run_id)``; out: ``("counts", run_id, counts)`` after each committed batch,
    ``("done", run_id, counts, stats)`` or ``("error", run_id, message)``. One process and one
    engine for all runs: their batches take turns, and SQLite's page cache stays warm (a
    worker per spider made them contend for the write lock and invalidate each other's).
    """
    engine = open_database(url)
    band_layout(), comparison_form("预热")  # datasketch, OpenCC's table: loaded for good
    freeze_start_up_objects()  # what is loaded now (this module's imports too) stays
    runs: dict[int, _Run] = {}
    failed: set[int] = set()
    try:
        while (message := items.get()) is not DONE:
            kind, run_id = message[0], message[1]
            if run_id in failed:
                continue  # the run's error was reported: its crawl stops at its next hand-over
            try:
                if kind == "open":
                    runs[run_id] = _Run(engine, message[2])
                elif kind == "item":
                    run = runs[run_id]
                    if run.process(message[2]):
                        results.put(("counts", run_id, dict(run.store.writer.counts)))
                elif kind == "close":
                    run = runs.pop(run_id)
                    stats = run.close()
                    results.put(("done", run_id, dict(run.store.writer.counts), stats))
            except Exception as error:  # noqa: BLE001 - reported to the run's crawl, which stops
                logger.exception("offload worker failed on run %s", run_id)
                runs.pop(run_id, None)
                failed.add(run_id)
                reason = getattr(error, "reason", None) or error  # CloseSpider keeps it there
                results.put(("error", run_id, f"{type(error).__name__}: {reason}"))
    finally:
        engine.dispose()


class Offloader:
    """The crawl's side: one worker per database for the whole process, shared by its
    spiders' store pipelines (``Offloader.shared``), each talking for its own run."""

    _shared: dict[str, Offloader] = {}

    @classmethod
    def shared(cls, url: str, maxsize: int) -> Offloader:
        """The process's worker for ``url``, started by the first run that asks."""
        offloader = cls._shared.get(url)
        if offloader is None or not offloader.process.is_alive():
            offloader = cls._shared[url] = cls(url, maxsize)
        return offloader

    def __init__(self, url: str, maxsize: int) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a threaded reactor
        self.url = url
        self.items = context.Queue(maxsize=maxsize)
        self.results = context.Queue()
        self.process = context.Process(
            target=run_worker, args=(self.items, self.results, url), daemon=True
        )
        self.counts: dict[int, Counter[str]] = {}
        self.errors: dict[int, str] = {}
        self.final: dict[int, dict[str, Any]] = {}
        self.open_runs: set[int] = set()
        self.polled_at = time.monotonic()
        with _main_module_hidden():
            self.process.start()

    def open(self, run_id: int, config: dict[str, Any]) -> None:
        self.open_runs.add(run_id)
        self.counts[run_id] = Counter()
        self._send(run_id, ("open", run_id, config))

    def put(self, run_id: int, item: Any) -> None:
        """Hand an item over; waits while the queue is full (back-pressure). Raises once the
        worker has reported the run failed: it drops the run's items, so the queue would
        never fill to tell (looked at about once a second)."""
        now = time.monotonic()
        if now - self.polled_at > POLL_EVERY:
            self.polled_at = now
            self.poll()
        if run_id in self.errors:
            raise RuntimeError(self.errors[run_id])
        self._send(run_id, ("item", run_id, item))

    def _send(self, run_id: int, message: tuple, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                self.items.put(message, timeout=1.0)
                return
            except queue_module.Full:
                self.poll()
                if run_id in self.errors:
                    raise RuntimeError(self.errors[run_id]) from None
                if not self.process.is_alive():
                    raise RuntimeError(self._died()) from None
                if deadline is not None and time.monotonic() > deadline:
                    raise RuntimeError("the offload worker did not answer") from None

    def poll(self) -> None:
        """Take the worker's latest counts, errors and final stats without waiting."""
        while True:
            try:
                message = self.results.get_nowait()
            except queue_module.Empty:
                return
            self._take(message)

    def _take(self, message: tuple) -> None:
        kind, run_id = message[0], message[1]
        if kind == "counts":
            self.counts[run_id] = Counter(message[2])
        elif kind == "error":
            self.errors[run_id] = message[2]
        elif kind == "done":
            self.counts[run_id] = Counter(message[2])
            self.final[run_id] = message[3]

    def _died(self) -> str:
        return f"the offload worker died (exit code {self.process.exitcode})"

    def close(self, run_id: int, timeout: float = 600.0) -> dict[str, Any]:
        """End the run: the worker flushes it; its final counts and stats come back. The
        last run to close stops the worker."""
        self.poll()
        try:
            if run_id not in self.errors:
                self._send(run_id, ("close", run_id), timeout)
            deadline = time.monotonic() + timeout
            while run_id not in self.final and run_id not in self.errors:
                try:
                    self._take(self.results.get(timeout=1.0))
                except queue_module.Empty:
                    if not self.process.is_alive() and self.results.empty():
                        self.errors[run_id] = self._died()
                    elif time.monotonic() > deadline:
                        self.errors[run_id] = "the offload worker did not answer"
        except RuntimeError as error:
            self.errors.setdefault(run_id, str(error))
        self.open_runs.discard(run_id)
        if not self.open_runs:
            self._stop()
        return self.final.pop(run_id, {})

    def _stop(self) -> None:
        if self._shared.get(self.url) is self:
            del self._shared[self.url]
        if self.process.is_alive():
            with contextlib.suppress(queue_module.Full):
                self.items.put(DONE, timeout=30)
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start the worker without re-running the crawl's ``__main__`` (``fanwen``'s CLI, a
    Scrapy command) in it: the spawn start method imports the parent's main module in the
    child unless it has neither a module spec nor a file. The worker needs nothing from it."""
    main = sys.modules["__main__"]
    saved = {name: getattr(main, name) for name in ("__spec__", "__file__") if hasattr(main, name)}
    main.__spec__ = None
    if hasattr(main, "__file__"):
        del main.__file__
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(main, name, value)
