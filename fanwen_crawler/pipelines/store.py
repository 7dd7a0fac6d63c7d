"""Persist items through SQLAlchemy in batched transactions, and record the crawl run.

Settings: FANWEN_DATABASE_URL (see fanwen_crawler.db), FANWEN_BATCH_SIZE (items per commit),
FANWEN_DB_RETRIES / FANWEN_DB_RETRY_DELAY (how long to wait for a locked or absent database
before the crawl stops with a clear error; nothing is half-written: a batch commits whole).
Several workers may write to one PostgreSQL database at once: a batch that collides with
another worker's is retried whole (see ``StorePipeline.flush``).

FANWEN_OFFLOAD (default off): items are handed to a worker process (one per database for all
the spiders of a process) that cleans, hashes and stores them with this same pipeline code
(``fanwen_crawler.offload``); this pipeline then only hands them over and, at the end,
records the run with the worker's counts and stats.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter

from scrapy import signals
from scrapy.exceptions import CloseSpider
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from twisted.internet import task

from fanwen_crawler.db import open_database, redact, resolve_url
from fanwen_crawler.items import ArticleItem, FetchErrorItem
from fanwen_crawler.neardup import NearDupIndex, threshold_setting
from fanwen_crawler.runs import beat, begin_run, end_run, mark_stale_runs, run_counts
from fanwen_crawler.storage import CorpusWriter
from fanwen_crawler.timing import timed, timed_stage

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler, url: str, batch_size: int, retries: int, retry_delay: float):
        self.crawler = crawler
        self.url = url
        self.batch_size = batch_size
        self.retries = retries
        self.retry_delay = retry_delay
        self.buffer: list[ArticleItem | FetchErrorItem] = []
        self.writer = CorpusWriter()
        self.writer.stats = crawler.stats
        self.engine = None
        self.run_id: int | None = None
        self.heartbeat = task.LoopingCall(self.beat)
        self.offload = False  # FANWEN_OFFLOAD: clean, dedup and store in a worker process
        self.offload_queue = 200
        self.offloader = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipeline = cls(
            crawler,
            resolve_url(None, settings),
            settings.getint("FANWEN_BATCH_SIZE", 50),
            settings.getint("FANWEN_DB_RETRIES", 5),
            settings.getfloat("FANWEN_DB_RETRY_DELAY", 2.0),
        )
        # -s FANWEN_NEAR_DUP_THRESHOLD=…, else the environment's, else 0.5 (docs/dedup.md)
        pipeline.writer.index = NearDupIndex(threshold_setting(settings))
        pipeline.offload = settings.getbool("FANWEN_OFFLOAD")
        pipeline.offload_queue = settings.getint("FANWEN_OFFLOAD_QUEUE", 200)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None):
        self.engine = open_database(self.url)
        logger.info("storing into %s", redact(self.url))
        settings = self.crawler.settings
        with Session(self.engine) as session, session.begin():
            stale = mark_stale_runs(session, settings.getfloat("FANWEN_RUN_STALE_AFTER", 3600))
            jobdir = settings.get("JOBDIR")
            self.run_id = begin_run(session, self.crawler.spider.name, jobdir=jobdir)
        if stale:
            logger.warning("runs %s were left running by a killed process: interrupted", stale)
        self.writer.run_id = self.run_id
        if self.offload:
            from fanwen_crawler.offload import Offloader

            config = {
                "url": self.url,
                "batch_size": self.batch_size,
                "retries": self.retries,
                "retry_delay": self.retry_delay,
                "threshold": self.writer.index.threshold,
                "run_id": self.run_id,
            }
            self.offloader = Offloader.shared(self.url, self.offload_queue)
            self.offloader.open(self.run_id, config)
        self.heartbeat.start(settings.getfloat("FANWEN_RUN_HEARTBEAT", 60), now=False)

    def beat(self) -> None:
        """Every FANWEN_RUN_HEARTBEAT seconds: the run is alive, here are its counts."""
        if self.offloader is not None:
            self.offloader.poll()
            self.writer.counts = Counter(self.offloader.counts[self.run_id])
        counts = run_counts(self.writer.counts, self.crawler.stats.get_stats())
        try:
            with Session(self.engine) as session, session.begin():
                beat(session, self.run_id, counts)
        except OperationalError as error:
            logger.warning("no heartbeat for run %s: %s", self.run_id, error.orig)

    def process_item(self, item, spider=None):
        if isinstance(item, ArticleItem | FetchErrorItem):
            if self.offloader is not None:
                self._hand_over(item)
            else:
                self._store(item)
        return item

    @timed_stage("store")
    def _store(self, item) -> None:
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()

    @timed_stage("handover")  # the worker times its own store; this is the wait for its queue
    def _hand_over(self, item) -> None:
        try:
            self.offloader.put(self.run_id, item)
        except RuntimeError as error:
            raise CloseSpider(f"offload worker failed: {error}") from error

    def flush(self) -> None:
        """Write the buffer in one transaction, waiting out a locked or absent database.

        A batch that collides with another worker's (the same URL or site inserted at once,
        a deadlock between advisory locks) is rolled back and written again: the second try
        sees the other worker's committed rows.
        """
        if not self.buffer:
            return
        self.writer.prepare(self.buffer)
        self._write_buffer()
        stats = self.crawler.stats
        for key, value in self.writer.counts.items():
            stats.set_value(f"fanwen/{key}", value)
        self.buffer.clear()

    def _write_buffer(self) -> None:
        for attempt in range(self.retries + 1):
            counts = Counter(self.writer.counts)
            try:
                with Session(self.engine) as session, session.begin():
                    for item in self.buffer:
                        self.writer.write(session, item)
                break
            except (OperationalError, IntegrityError) as error:
                self.writer.counts = counts  # the rolled-back batch counted nothing
                self.writer._site_ids.clear()  # ids of a rolled-back transaction may be gone
                conflict = isinstance(error, IntegrityError) or _is_conflict(error)
                if attempt == self.retries:
                    self.crawler.stats.inc_value("fanwen/db/failed_batches")
                    raise CloseSpider(f"database unavailable: {error.orig}") from error
                if conflict:
                    self.crawler.stats.inc_value("fanwen/db/conflicts")
                    logger.info("batch collided with another writer (%s); retrying", error.orig)
                    time.sleep(random.uniform(0.05, 0.25) * (attempt + 1))
                else:
                    logger.warning("database busy or away (%s); retrying batch", error.orig)
                    time.sleep(self.retry_delay * (attempt + 1))

    def spider_closed(self, spider, reason):
        """Called after close_spider of every pipeline: the stats are final here."""
        if self.heartbeat.running:
            self.heartbeat.stop()
        if self.engine is None or self.run_id is None:
            return  # the database never opened: there is no run to close
        stats = {k: _jsonable(v) for k, v in self.crawler.stats.get_stats().items()}
        counts = run_counts(self.writer.counts, stats)
        with Session(self.engine) as session, session.begin():
            end_run(session, self.run_id, reason, counts, stats)

    def close_spider(self, spider=None):
        if self.offloader is not None:
            self._collect_offloaded()
            return
        with timed(self.crawler.stats, "store"):
            self.flush()

    def _collect_offloaded(self) -> None:
        """Wait for the worker; its counts and stats become the crawl's."""
        worker_stats = self.offloader.close(self.run_id)
        self.writer.counts = Counter(self.offloader.counts[self.run_id])
        stats = self.crawler.stats
        counted = {f"fanwen/{key}" for key in self.writer.counts}
        for key, value in worker_stats.items():
            if key in counted or not isinstance(value, int | float):
                stats.set_value(key, value)  # the store's totals, as flush() sets them
            else:
                stats.inc_value(key, value, start=0)
        if error := self.offloader.errors.get(self.run_id):
            stats.inc_value("fanwen/db/failed_batches")
            logger.error("offload worker failed: %s", error)


def _is_conflict(error: OperationalError) -> bool:
    """A PostgreSQL deadlock or serialization failure: retry at once, the server is fine."""
    return getattr(error.orig, "sqlstate", None) in {"40P01", "40001"}


def _jsonable(value):
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
