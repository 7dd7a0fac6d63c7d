"""Any 范文 site without a profile: ``fanwen crawl generic --start-url CATEGORY_URL``.

Nothing about the site is known in advance, so everything is found by structure:

* listing pages: the article links are those of the page's main list (the container with the
  most title-like links; articles often live elsewhere, e.g. ``/a/<id>.html``), on the same
  host; pagination is followed within the category's directory (``list_2.html``, ``?page=2``,
  ``下一页``);
* article pages: title, breadcrumb and body by text density (fanwen_crawler.extract);
  continuation pages (``<id>_2.html``, or a ``下一页`` link to a page of the same article) are
  merged into one article;
* boilerplate no rule knows is learned from repetition across the site's pages
  (fanwen_crawler.learned): the first ``FANWEN_LEARN_WARMUP`` articles are held back until the
  table has seen them all (or the crawl runs out of pages), so they are cleaned like the rest.

The site's name is the start URL's host unless ``-a site=NAME``; several crawls into one
database add to one corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from fanwen_crawler.extract import listing_links
from fanwen_crawler.items import ArticleItem
from fanwen_crawler.learned import observe_item, table_for
from fanwen_crawler.spiders.base import FanwenSpider

_NEXT_TEXT = re.compile(r"^\s*(?:下一页|下一頁|下页|后页|後頁|next)\s*[>»›]*\s*$", re.I)
_FLUSH_URL = "data:,"  # a request that needs no network, to release held items when idle


class GenericSpider(FanwenSpider):
    name = "generic"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held: list[ArticleItem] = []
        self.warmup_done = False

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider

    # Listing pages ------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A listing of any layout: its main list's articles and its pagination."""
        if not isinstance(response, TextResponse):
            yield from super().parse(response, **kwargs)
            return
        found = listing_links(response.selector, response.url)
        if not found.articles:
            self.crawler.stats.inc_value("fanwen/listing/no_main_list")
            self.logger.warning("%s: no list of article links found", response.url)
        for url in found.pages:
            yield self.listing_request(url)
        for url in found.articles:
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error)

    # Article pages: hold items until the site's table of recurring lines has warmed up -----

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        yield from self._release(super().parse_article(response, **kwargs))

    def parse_continuation(self, response: Response, state: dict[str, Any]) -> Iterator[Any]:
        yield from self._release(super().parse_continuation(response, state))

    def _continuation_failed(self, failure: Failure) -> Iterator[Any]:
        yield from self._release(super()._continuation_failed(failure))

    def _next_continuation(
        self, response: TextResponse, first_url: str, seen: set[str]
    ) -> str | None:
        """``<id>_2.html`` first; else a ``下一页`` link to another page of the same article."""
        found = super()._next_continuation(response, first_url, seen)
        if found:
            return found
        stem = re.sub(r"\.s?html?$", "", urlsplit(first_url).path)
        for anchor in response.css("a[href]"):
            if not _NEXT_TEXT.match(anchor.xpath("string()").get() or ""):
                continue
            url = response.urljoin(anchor.attrib["href"]).split("#")[0]
            target = urlsplit(url)
            if target.netloc == self.host and url not in seen and target.path.startswith(stem):
                return url
        return None

    def _release(self, outputs: Iterator[Any]) -> Iterator[Any]:
        warmup = self.settings.getint("FANWEN_LEARN_WARMUP", 20)
        for output in outputs:
            if not isinstance(output, ArticleItem):
                yield output
                continue
            observe_item(output, table_for(self.site))
            if self.warmup_done:
                yield output
                continue
            self.held.append(output)
            if len(self.held) >= warmup:
                yield from self._flush()

    def _flush(self) -> Iterator[ArticleItem]:
        self.warmup_done = True
        held, self.held = self.held, []
        if held:
            learned = table_for(self.site).learned()
            self.crawler.stats.set_value("fanwen/learned/lines", len(learned))
            self.logger.info(
                "%s: %d recurring lines learned from %d pages",
                self.site,
                len(learned),
                table_for(self.site).pages,
            )
        yield from held

    def _on_idle(self, spider: scrapy.Spider) -> None:
        """Out of pages before the warm-up ended: release what is held, then close."""
        if spider is not self or not self.held:
            return
        request = scrapy.Request(_FLUSH_URL, callback=self._flush_callback, dont_filter=True)
        self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _flush_callback(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        yield from self._flush()
