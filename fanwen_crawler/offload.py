"""FANWEN_OFFLOAD: cleaning, hashing and storing in a second process (the crawl's second core).

With ``FANWEN_OFFLOAD = True`` the crawl's own process keeps downloading, following links and
extracting (the spider's callbacks, unchanged) and validating; each valid item is pickled into
a bounded queue (``FANWEN_OFFLOAD_QUEUE`` items: when the writer falls behind, the crawl
waits, so memory stays flat). One worker process runs the *same* pipeline code on it:
``CleanPipeline`` → ``DedupPipeline`` → ``StorePipeline``'s batched, retried transactions
through ``CorpusWriter``. In the crawl's process the clean and dedup pipelines pass items
through, and the store pipeline only hands them over.

Why extraction stays in the crawl's process: measured per page, the crawl's process then
spends ~6 ms (Scrapy) + ~5 ms (extraction) and the worker ~15 ms (cleaning, hashing,
near-duplicate look-ups, SQL): the two cores are about evenly loaded. Moving extraction too
would leave the crawl's core half idle and make the worker the limit sooner
(docs/performance.md).

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
import queue as queue_module
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

logger = logging.getLogger(__name__)

DONE = None  # the sentinel: no more items


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


def run_worker(items, results, config: dict[str, Any]) -> None:
    """The worker process: clean, hash and store items until the sentinel, then report."""
    from fanwen_crawler.db import open_database
    from fanwen_crawler.neardup import NearDupIndex
    from fanwen_crawler.pipelines.clean import CleanPipeline
    from fanwen_crawler.pipelines.dedup import DedupPipeline
    from fanwen_crawler.pipelines.store import StorePipeline
    from fanwen_crawler.timing import timed

    stats = DictStats()
    clean, dedup = CleanPipeline(stats), DedupPipeline(stats)
    store = StorePipeline(
        _Crawler(stats),
        config["url"],
        config["batch_size"],
        config["retries"],
        config["retry_delay"],
    )
    store.writer.index = NearDupIndex(config["threshold"])
    store.writer.run_id = config["run_id"]
    store.engine = open_database(config["url"])
    try:
        while (item := items.get()) is not DONE:
            before = sum(store.writer.counts.values())
            store.process_item(dedup.process_item(clean.process_item(item)))
            if sum(store.writer.counts.values()) != before:  # a batch was committed
                results.put(("counts", dict(store.writer.counts)))
        with timed(stats, "store"):
            store.flush()
    except Exception as error:  # noqa: BLE001 - reported to the crawl, which stops
        logger.exception("offload worker failed")
        results.put(("error", f"{type(error).__name__}: {error}"))
        return
    finally:
        store.engine.dispose()
    results.put(("done", dict(store.writer.counts), stats.get_stats()))


class Offloader:
    """The crawl's side: start the worker, hand items over, collect what it counted."""

    def __init__(self, config: dict[str, Any], maxsize: int) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a threaded reactor
        self.items = context.Queue(maxsize=maxsize)
        self.results = context.Queue()
        self.process = context.Process(
            target=run_worker, args=(self.items, self.results, config), daemon=True
        )
        self.counts: Counter[str] = Counter()
        self.error: str | None = None
        with _main_module_hidden():
            self.process.start()

    def put(self, item: Any) -> None:
        """Hand an item over; waits while the queue is full (back-pressure)."""
        while True:
            try:
                self.items.put(item, timeout=1.0)
                return
            except queue_module.Full:
                self.poll()
                if self.error or not self.process.is_alive():
                    raise RuntimeError(self.error or "the offload worker died") from None

    def poll(self) -> None:
        """Take the worker's latest counts (or its error) without waiting."""
        while True:
            try:
                message = self.results.get_nowait()
            except queue_module.Empty:
                return
            self._take(message)

    def _take(self, message: tuple) -> dict[str, Any] | None:
        if message[0] == "counts":
            self.counts = Counter(message[1])
        elif message[0] == "error":
            self.error = message[1]
        elif message[0] == "done":
            self.counts = Counter(message[1])
            return message[2]
        return None

    def close(self, timeout: float = 600.0) -> dict[str, Any]:
        """Send the sentinel, wait for the worker's final counts and stats."""
        self.poll()
        if self.error is None and self.process.is_alive():
            self.items.put(DONE, timeout=timeout)
        stats: dict[str, Any] | None = None
        deadline = time.monotonic() + timeout
        while stats is None and self.error is None:
            try:
                message = self.results.get(timeout=1.0)
            except queue_module.Empty:
                if not self.process.is_alive() and self.results.empty():
                    self.error = f"the offload worker died (exit code {self.process.exitcode})"
                elif time.monotonic() > deadline:
                    self.error = "the offload worker did not answer"
                continue
            stats = self._take(message)
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.terminate()
        return stats or {}


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
