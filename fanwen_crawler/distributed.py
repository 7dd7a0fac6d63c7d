"""A distributed crawl: N worker processes share one frontier in Redis (scrapy-redis).

Switched on by the setting ``FANWEN_REDIS_URL`` (``fanwen crawl --redis URL`` sets it). The
add-on ``RedisAddon`` then moves the scheduler and the dupefilter to Redis:

- ``SCHEDULER = scrapy_redis.scheduler.Scheduler`` keeps the pending requests in the sorted
  set ``<prefix><spider>:requests``, which every worker pushes to and pops from;
- ``DUPEFILTER_CLASS = scrapy_redis.dupefilter.RFPDupeFilter`` keeps the fingerprints of every
  request ever scheduled in the set ``<prefix><spider>:dupefilter``, so no page is fetched by
  two workers (and a start URL given to every worker is fetched once);
- ``SCHEDULER_PERSIST = True``: a worker that stops leaves the frontier to the others
  (scrapy-redis would otherwise clear the shared keys when the first worker closes). A job's
  keys are removed with ``fanwen push --reset``; a fresh ``FANWEN_REDIS_PREFIX`` is a fresh job.

Start URLs: ``--start-url`` on the workers, or pushed to the list ``<prefix><spider>:start_urls``
(``fanwen push SPIDER URL…`` or ``redis-cli lpush <spider>:start_urls URL``), which idle workers
read (scrapy-redis's ``RedisMixin`` on ``FanwenSpider``).

Workers stop by themselves: once a worker has had nothing to do (empty frontier, nothing in
flight) for ``FANWEN_REDIS_IDLE_CLOSE`` seconds (default 30), it closes with reason
``finished``. An idle worker looks for new requests every ``FANWEN_REDIS_POLL`` seconds (1).

What a killed worker loses: the requests it had popped but not finished, and the items it had
not yet committed (workers commit each item at once: ``FANWEN_BATCH_SIZE`` is 1 unless set).
Their fingerprints are in the dupefilter, so no other worker fetches them again.
``fanwen crawl SPIDER --sweep`` (``FANWEN_SWEEP``) walks the listings again and fetches only
the article pages the database holds neither as an article nor
as a fetch error: run it once after the workers are done, and no article is lost.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy_redis.spiders import RedisMixin
from sqlalchemy import select

logger = logging.getLogger(__name__)

DEFAULT_IDLE_CLOSE = 30  # seconds


def redis_keys(spider: str, prefix: str = "") -> dict[str, str]:
    """The Redis keys of one job of one spider."""
    return {
        "requests": f"{prefix}{spider}:requests",
        "dupefilter": f"{prefix}{spider}:dupefilter",
        "start_urls": f"{prefix}{spider}:start_urls",
    }


class RedisAddon:
    """Scrapy add-on: with ``FANWEN_REDIS_URL`` set, the frontier moves to Redis.

    Settings given explicitly (``-s SCHEDULER_PERSIST=False``…) win over these.
    """

    def update_settings(self, settings) -> None:
        url = settings.get("FANWEN_REDIS_URL")
        if not url:
            return
        prefix = (settings.get("FANWEN_REDIS_PREFIX") or "").replace("%", "%%")
        values = {
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "REDIS_URL": url,
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": prefix + "%(spider)s:requests",
            "SCHEDULER_DUPEFILTER_KEY": prefix + "%(spider)s:dupefilter",
            "REDIS_START_URLS_KEY": prefix + "%(name)s:start_urls",
            "MAX_IDLE_TIME_BEFORE_CLOSE": settings.getint(
                "FANWEN_REDIS_IDLE_CLOSE", DEFAULT_IDLE_CLOSE
            ),
        }
        for name, value in values.items():
            settings.set(name, value, priority="addon")
        # One item per transaction: the near-duplicate index's advisory locks are then held
        # for one article, not for a batch, so workers rarely wait for or deadlock with each
        # other (measured: 4 workers with batches of 50 spent most of their time retrying);
        # a killed worker also loses no fetched item. `-s FANWEN_BATCH_SIZE=…` still wins.
        if settings.getpriority("FANWEN_BATCH_SIZE") <= SETTINGS_PRIORITIES["project"]:
            settings.set("FANWEN_BATCH_SIZE", 1, priority="project")


class RedisFrontierMixin(RedisMixin):
    """What ``FanwenSpider`` adds for a distributed crawl; inert without ``FANWEN_REDIS_URL``.

    Reuses scrapy-redis's ``RedisMixin`` for reading start URLs from Redis; replaces its idle
    rule (which counts from module import, not from when the worker last had work).
    """

    _idle_since: float | None = None
    _seen_before: int = -1

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if crawler.settings.get("FANWEN_REDIS_URL"):
            if not kwargs.get("start_url"):
                spider.start_urls = []  # a worker's start URLs come from Redis
            crawler.signals.connect(spider._poll_faster, signal=signals.spider_opened)
        return spider

    @property
    def distributed(self) -> bool:
        return bool(self.settings.get("FANWEN_REDIS_URL"))

    def _poll_faster(self, spider) -> None:
        """An idle worker looks at the shared queue every FANWEN_REDIS_POLL seconds.

        Scrapy's engine looks again only on its heartbeat (5 s, ``_SLOT_HEARTBEAT_INTERVAL``,
        a private attribute read when the engine starts): without this, workers that went
        idle pick up requests pushed by the others up to 5 s late. Should Scrapy rename it,
        workers still work, only at the slower pace.
        """
        engine = self.crawler.engine
        if engine is not None and hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):
            engine._SLOT_HEARTBEAT_INTERVAL = self.settings.getfloat("FANWEN_REDIS_POLL", 1.0)

    def redis_start_requests(self) -> Iterator[scrapy.Request]:
        """At start: connect to Redis and take a first batch of pushed start URLs."""
        if not self.distributed:
            return
        self.setup_redis(self.crawler)
        self.crawler.signals.connect(self._busy, signal=signals.response_received)
        yield from self.next_requests()

    def make_request_from_data(self, data: bytes) -> scrapy.Request | list:
        """A pushed start URL (plain, or JSON ``{"url": …}``) is a listing page.

        It goes through the shared dupefilter: pushed twice, or given to every worker, it is
        fetched once.
        """
        value = data.decode(self.redis_encoding or "utf-8", errors="replace").strip()
        if value.startswith("{"):
            try:
                value = str(json.loads(value).get("url") or "")
            except (ValueError, AttributeError):
                value = ""
        if not value.startswith(("http://", "https://")):
            self.logger.warning("ignoring start URL pushed to Redis: %r", value[:200])
            return []
        self.crawler.stats.inc_value("fanwen/redis/start_urls")
        return self.listing_request(value)

    def listing_request(self, url: str) -> scrapy.Request:
        raise NotImplementedError

    def _busy(self, *args: Any, **kwargs: Any) -> None:
        self._idle_since = None

    def spider_idle(self) -> None:
        """Keep an idle worker open until the frontier has stayed empty for the idle time.

        Empty: no pending request, no start URL waiting, and no new fingerprint in the shared
        dupefilter (while other workers still discover pages, this one stays).
        """
        if self.count_size(self.redis_key) > 0:
            self._idle_since = None
            self.schedule_next_requests()
            raise DontCloseSpider
        now = time.monotonic()
        seen = self._seen_count()
        if self._idle_since is None or seen != self._seen_before:
            self._idle_since = now
            self._seen_before = seen
        if self.max_idle_time and now - self._idle_since < self.max_idle_time:
            raise DontCloseSpider
        self.logger.info("frontier empty for %ss: this worker stops", self.max_idle_time)

    def _seen_count(self) -> int:
        """Fingerprints in the shared dupefilter: grows while any worker finds new pages."""
        key = self.settings.get("SCHEDULER_DUPEFILTER_KEY") or "%(spider)s:dupefilter"
        return int(self.server.scard(key % {"spider": self.name}))


def check_redis(redis_url: str) -> str | None:
    """Why the Redis server at ``redis_url`` cannot be used (None: it answers)."""
    import redis

    from fanwen_crawler.db import redact

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=10).ping()
    except (redis.RedisError, ValueError) as error:
        return f"Redis at {redact(redis_url)}: {error}"
    return None


def push_start_urls(redis_url: str, spider: str, urls: Iterable[str], prefix: str = "") -> int:
    """Push start URLs for the workers of ``spider``; the list's new length."""
    import redis

    client = redis.Redis.from_url(redis_url)
    values = [json.dumps({"url": url}) for url in urls]
    return int(client.rpush(redis_keys(spider, prefix)["start_urls"], *values)) if values else 0


def frontier_counts(redis_url: str, spider: str, prefix: str = "") -> dict[str, int]:
    """Pending requests, seen fingerprints and waiting start URLs of a job."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = redis_keys(spider, prefix)
    return {
        "requests": int(client.zcard(keys["requests"])),
        "seen": int(client.scard(keys["dupefilter"])),
        "start_urls": int(client.llen(keys["start_urls"])),
    }


def reset_frontier(redis_url: str, spider: str, prefix: str = "") -> int:
    """Delete a job's keys (pending requests, fingerprints, start URLs); how many existed."""
    import redis

    client = redis.Redis.from_url(redis_url)
    return int(client.delete(*redis_keys(spider, prefix).values()))


class SweepMiddleware:
    """Spider middleware for ``FANWEN_SWEEP``: skip article pages the database already holds.

    Listing pages are fetched as usual; an article request whose URL is stored as an article
    or as a fetch error is dropped (``fanwen/sweep/skipped``), every other one is fetched
    (``fanwen/sweep/fetched`` counts them, once per URL). The stored URLs are read once, when
    the spider opens.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stored: set[str] = set()
        self.requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("FANWEN_SWEEP"):
            raise NotConfigured
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider) -> None:
        from fanwen_crawler.db import open_database, resolve_url
        from fanwen_crawler.models import Article, FetchError

        engine = open_database(resolve_url(None, self.crawler.settings))
        try:
            with engine.connect() as connection:
                self.stored = set(connection.scalars(select(Article.url)))
                self.stored.update(connection.scalars(select(FetchError.url)))
        finally:
            engine.dispose()
        logger.info("sweep: %d pages already stored are skipped", len(self.stored))

    def _keep(self, result: Any, spider) -> bool:
        if not isinstance(result, scrapy.Request) or result.callback != spider.parse_article:
            return True
        if result.url in self.stored:
            self.crawler.stats.inc_value("fanwen/sweep/skipped")
            return False
        if result.url not in self.requested:
            self.requested.add(result.url)
            self.crawler.stats.set_value("fanwen/sweep/fetched", len(self.requested))
        return True

    def process_spider_output(self, response, result, spider):
        for item in result:
            if self._keep(item, spider):
                yield item

    async def process_spider_output_async(self, response, result, spider):
        async for item in result:
            if self._keep(item, spider):
                yield item
