"""Incremental re-crawls: stored article pages are fetched again only when due, conditionally.

For a request whose URL is a stored article (``articles.url``):

* not due — its ``last_seen`` is younger than ``FANWEN_RECRAWL_AFTER`` days — the request is
  dropped before it reaches the network (``NotDue``; stat ``fanwen/pages/not_due``);
* due — it goes out with ``If-None-Match`` / ``If-Modified-Since`` from the stored ETag and
  Last-Modified; a ``304 Not Modified`` answer only moves the article's ``last_seen``
  (``NotModified``; stat ``fanwen/pages/not_modified``).

Listing pages are never stored as articles, so they are always fetched and new articles are
found. A page that comes back 200 with the same body hash only moves ``last_seen`` too (the
store does that); a changed page updates its row and keeps the earlier text in
``article_versions``.

Which URLs are stored is read once, when the spider opens (``StoredUrls``: 8 bytes per
article), so a request for a page not stored then costs no query; only stored pages are looked
up. A page another crawl stores meanwhile is fetched again, in full, and the store counts it
unchanged if its bytes are the same (a distributed crawl shares one dupefilter, so its workers
never ask for one page twice).

Settings: ``FANWEN_INCREMENTAL`` (default True; False fetches everything),
``FANWEN_RECRAWL_AFTER`` (days, default 3; 0 makes every stored page due, conditionally).
Both exceptions are ``IgnoreRequest``s that the spider's errback passes over in silence.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import timedelta

import numpy as np
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from fanwen_crawler.db import open_database, resolve_url
from fanwen_crawler.models import Article
from fanwen_crawler.storage import utcnow

logger = logging.getLogger(__name__)

TOUCH_BATCH = 100  # 304 answers whose last_seen is written in one statement
_TABLE = Article.__table__
_STORED = select(_TABLE.c.last_seen, _TABLE.c.etag, _TABLE.c.last_modified).where(
    _TABLE.c.url == bindparam("url")
)


def url_key(url: str) -> int:
    return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "little")


class StoredUrls:
    """The stored articles' URLs as sorted 64-bit hashes: a URL not among them needs no
    query (per request, the query cost more than any other middleware: a pooled connection
    and a read transaction on a database the store keeps writing). A hash collision only
    costs a query."""

    def __init__(self, urls: Iterable[str]) -> None:
        self.keys = np.unique(np.fromiter((url_key(u) for u in urls), dtype=np.uint64))

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, url: str) -> bool:
        key = np.uint64(url_key(url))
        at = int(np.searchsorted(self.keys, key))
        return at < len(self.keys) and self.keys[at] == key


class Unchanged(IgnoreRequest):
    """The stored row stands: nothing to fetch or store, and nothing to record as an error."""


class NotDue(Unchanged):
    pass


class NotModified(Unchanged):
    pass


class IncrementalMiddleware:
    def __init__(self, crawler, url: str, recrawl_after: timedelta) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = url
        self.recrawl_after = recrawl_after
        self.engine = None
        self.stored_urls: StoredUrls | None = None  # None: unknown, look every URL up
        self.touched: list[str] = []
        self._lookup_failed = False

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("FANWEN_INCREMENTAL", True):
            raise NotConfigured
        middleware = cls(
            crawler,
            resolve_url(None, settings),
            timedelta(days=settings.getfloat("FANWEN_RECRAWL_AFTER", 3.0)),
        )
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider=None) -> None:
        self.engine = open_database(self.url)
        try:
            with self.engine.connect() as connection:
                # streamed: a million URLs are not held as strings at once, only their hashes
                urls = connection.execution_options(yield_per=10_000).execute(select(_TABLE.c.url))
                self.stored_urls = StoredUrls(urls.scalars())
        except SQLAlchemyError as error:
            logger.warning("could not read the stored URLs, looking each one up: %s", error)

    def spider_closed(self, spider=None) -> None:
        self.write_touched()
        if self.engine is not None:
            self.engine.dispose()

    # Requests -----------------------------------------------------------------------------

    def stored(self, url: str):
        """(last_seen, etag, last_modified) of a stored article, or None."""
        if self.engine is None or (self.stored_urls is not None and url not in self.stored_urls):
            return None
        try:
            with self.engine.connect() as connection:
                return connection.execute(_STORED, {"url": url}).first()
        except SQLAlchemyError as error:
            # Without the database we cannot know: fetch the page, the store sorts it out.
            self.stats.inc_value("fanwen/incremental/lookup_failed")
            if not self._lookup_failed:
                logger.warning("incremental lookup failed, fetching in full: %s", error)
                self._lookup_failed = True
            return None

    def process_request(self, request: Request, spider=None):
        if request.method != "GET" or request.meta.get("fanwen_full_fetch"):
            return None
        row = self.stored(request.url)
        if row is None:
            return None
        last_seen, etag, last_modified = row
        if utcnow() - last_seen < self.recrawl_after:
            self.stats.inc_value("fanwen/pages/not_due")
            raise NotDue(f"stored {last_seen:%Y-%m-%d %H:%M}, not due yet")
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if last_modified:
            request.headers.setdefault("If-Modified-Since", last_modified)
        if etag or last_modified:
            request.meta["fanwen_conditional"] = True
            self.stats.inc_value("fanwen/pages/conditional")
        return None

    def process_response(self, request: Request, response: Response, spider=None):
        if response.status == 304 and request.meta.get("fanwen_conditional"):
            self.stats.inc_value("fanwen/pages/not_modified")
            self.touched.append(request.url)
            if len(self.touched) >= TOUCH_BATCH:
                self.write_touched()
            raise NotModified("304 Not Modified")
        return response

    def write_touched(self) -> None:
        """Move ``last_seen`` of the pages that answered 304 (kept for later on failure)."""
        if not self.touched or self.engine is None:
            return
        statement = (
            _TABLE.update().where(_TABLE.c.url == bindparam("page")).values(last_seen=utcnow())
        )
        try:
            with self.engine.begin() as connection:
                connection.execute(statement, [{"page": url} for url in self.touched])
        except SQLAlchemyError as error:
            logger.warning("could not record %d unchanged pages yet: %s", len(self.touched), error)
            return
        self.touched.clear()
