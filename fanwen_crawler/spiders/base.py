"""The shared shape of a 范文 site: category listing (paginated) → article (+ continuations).

A site's spider only names its start URL, the URL patterns of its listing and article pages
and the selectors of its layout (a Profile). Faults never stop the crawl: every page that
gives no article is yielded as a FetchErrorItem with its reason, and stored as such.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from fanwen_crawler.article import build_article
from fanwen_crawler.distributed import RedisFrontierMixin
from fanwen_crawler.extract import Page, Profile, extract_page, fix_encoding
from fanwen_crawler.items import ArticleItem, FetchErrorItem
from fanwen_crawler.middlewares.incremental import Unchanged
from fanwen_crawler.timing import timed

_CONTINUATION = re.compile(r"_(\d+)\.html?$")
MIN_ARTICLE_CHARS = 30  # Chinese characters; fewer is a broken page, not a 范文


class FanwenSpider(RedisFrontierMixin, scrapy.Spider):
    """Base spider; subclasses set name, default_start_url, the patterns and the profile.

    With ``FANWEN_REDIS_URL`` set, workers share their frontier in Redis and also read start
    URLs pushed there (``fanwen_crawler.distributed``).
    """

    default_start_url: str = ""
    profile: Profile = Profile(site="")
    # Regexes searched in absolute URLs of links found on listing pages.
    article_pattern: re.Pattern[str] = re.compile(r"/\d+\.html?$")
    listing_pattern: re.Pattern[str] = re.compile(r"/(?:list|index)_\d+\.html?$")
    # Replica pages (under data/replica) that `scrapy check` runs the contracts on.
    fixtures: dict[str, str] = {}

    def __init__(
        self,
        start_url: str | None = None,
        site: str | None = None,
        article_url: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        # article_url: article pages to fetch directly (no listing unless start_url is given).
        self.article_urls = [u for u in re.split(r"[\s,]+", article_url or "") if u]
        urls = start_url or ("" if self.article_urls else self.default_start_url)
        self.start_urls = [u for u in re.split(r"[\s,]+", urls) if u]
        first = (self.start_urls or self.article_urls or [""])[0]
        self.host = urlsplit(first).netloc
        self.site = site or self.profile.site or self.host

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not (self.start_urls or self.article_urls or self.distributed):
            raise CloseSpider("no_start_url: pass -a start_url=URL (fanwen crawl --start-url URL)")
        for url in self.start_urls:
            yield self.listing_request(url)
        for url in self.article_urls:
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error)
        for request in self.redis_start_requests():  # a distributed crawl's pushed URLs
            yield request

    def listing_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, errback=self.on_error)

    # Listing pages ------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A category listing: follow its pagination and its article links.

        @fixture listing
        @returns requests 2
        @returns items 0 0
        """
        if not isinstance(response, TextResponse):
            yield self._error(response.url, "not_html", f"listing is {_content_type(response)}")
            return
        host = urlsplit(response.url).netloc
        for url in dict.fromkeys(
            response.urljoin(h) for h in response.css("a::attr(href)").getall()
        ):
            if urlsplit(url).netloc != host:
                continue
            path = urlsplit(url).path
            if self.listing_pattern.search(path):
                yield scrapy.Request(url, callback=self.parse, errback=self.on_error)
            elif self.article_pattern.search(path) and not _CONTINUATION.search(path):
                yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error)

    # Article pages ------------------------------------------------------------------------

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """An article page; continuation pages (``_2.html``…) are fetched and merged first.

        @fixture article
        @returns items 1 1
        @scrapes url site title category variants
        """
        problem = self._unusable(response)
        if problem:
            yield problem
            return
        assert isinstance(response, TextResponse)
        with timed(self.crawler.stats, "extract"):
            response, warning = fix_encoding(response)
            page = extract_page(response.selector, self.profile)
        if not page.profile_matched:
            # The site's layout changed, or the page is broken: say so, then try generically.
            self.crawler.stats.inc_value("fanwen/extract/profile_miss")
            self.logger.warning("%s: no %r on the page", response.url, self.profile.body)
        if not page.title or not _has_cjk(page, MIN_ARTICLE_CHARS):
            yield self._error(response.url, _empty_kind(response), "no article text found")
            return
        state = {
            "page": page,
            "first": FirstPage.of(response),  # picklable: requests may travel through Redis
            "warnings": [warning] if warning else [],
            "bodies": [response.body],
            "seen": {response.url},
        }
        yield from self._next_or_item(response, state)

    def parse_continuation(self, response: Response, state: dict[str, Any]) -> Iterator[Any]:
        if self._unusable(response) is None and isinstance(response, TextResponse):
            with timed(self.crawler.stats, "extract"):
                response, warning = fix_encoding(response)
                blocks = extract_page(response.selector, self.profile).blocks
            if warning:
                state["warnings"].append(warning)
            state["page"].blocks.extend(blocks)
            state["bodies"].append(response.body)
        else:
            state["warnings"].append(f"continuation page unusable: {response.url}")
        yield from self._next_or_item(response, state)

    def _next_or_item(self, response: TextResponse, state: dict[str, Any]) -> Iterator[Any]:
        following = self._next_continuation(response, state["first"].url, state["seen"])
        if following:
            state["seen"].add(following)
            yield scrapy.Request(
                following,
                callback=self.parse_continuation,
                errback=self._continuation_failed,
                cb_kwargs={"state": state},
            )
            return
        yield self._item(state)

    def _continuation_failed(self, failure: Failure) -> Iterator[Any]:
        """A lost continuation page: keep what we have, say so, record the error."""
        state = failure.request.cb_kwargs["state"]
        state["warnings"].append(f"continuation page failed: {failure.request.url}")
        yield from self.on_error(failure)
        yield self._item(state)

    def _next_continuation(
        self, response: TextResponse, first_url: str, seen: set[str]
    ) -> str | None:
        """The next ``<stem>_N.html`` page of this article linked from this page, if any."""
        stem = re.sub(r"\.html?$", "", first_url)
        # Only links that name this article's file (<name>_N.html) can be continuations:
        # filtering in lxml spares resolving every link of the page (~200 on a real page;
        # that was half the CPU of a crawl, benchmarks/crawl_throughput.py).
        name = stem.rsplit("/", 1)[-1] + "_"
        candidates = []
        for href in response.xpath("//a/@href[contains(., $name)]", name=name).getall():
            url = response.urljoin(href).split("#")[0]
            if url.startswith(stem + "_") and (m := _CONTINUATION.search(url)) and url not in seen:
                candidates.append((int(m.group(1)), url))
        return min(candidates)[1] if candidates else None

    def _item(self, state: dict[str, Any]) -> ArticleItem:
        first: FirstPage = state["first"]
        page: Page = state["page"]
        with timed(self.crawler.stats, "extract"):  # the variant split is part of extraction
            item = build_article(
                page,
                url=first.url,
                site=self.site,
                body=b"".join(state["bodies"]),
                encoding=first.encoding,
                http_status=first.status,
            )
        item.continuation_urls = sorted(state["seen"] - {first.url})
        item.etag = first.etag
        item.last_modified = first.last_modified
        item.warnings.extend(state["warnings"])
        if self.settings.getbool("FANWEN_KEEP_RAW_HTML"):
            item.raw_html = state["bodies"][0]
        self.crawler.stats.inc_value("fanwen/articles/extracted")
        return item

    # Faults -------------------------------------------------------------------------------

    def _unusable(self, response: Response) -> FetchErrorItem | None:
        if not response.body.strip():
            return self._error(response.url, "empty", "empty body", response.status)
        if not isinstance(response, TextResponse) or not _is_text(response):
            return self._error(response.url, "not_html", f"content type {_content_type(response)}")
        return None

    def on_error(self, failure: Failure) -> Iterator[FetchErrorItem]:
        """Errback: record why a request gave nothing, and let the crawl go on."""
        url = failure.request.url
        if failure.check(Unchanged):
            return  # not due, or 304 Not Modified: the stored row stands
        if failure.check(HttpError):
            status = failure.value.response.status
            yield self._error(url, f"http_{status}", f"HTTP {status}", status)
            return
        kind = getattr(failure.value, "kind", None) or _FAILURE_KINDS.get(
            type(failure.value).__name__, "network"
        )
        if kind == "ignored" and "max redirections" in failure.getErrorMessage():
            kind = "redirect_loop"
        yield self._error(url, kind, f"{type(failure.value).__name__}: {failure.getErrorMessage()}")

    def _error(self, url: str, kind: str, reason: str, status: int | None = None) -> FetchErrorItem:
        self.crawler.stats.inc_value(f"fanwen/errors/{kind}")
        self.logger.warning("no article from %s: %s (%s)", url, kind, reason)
        return FetchErrorItem(url=url, kind=kind, reason=reason, site=self.site, http_status=status)


@dataclass
class FirstPage:
    """What an article's item needs from its first page, carried through continuation pages."""

    url: str
    encoding: str
    status: int
    etag: str | None
    last_modified: str | None

    @classmethod
    def of(cls, response: TextResponse) -> FirstPage:
        return cls(
            url=response.url,
            encoding=response.encoding,
            status=response.status,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )


_FAILURE_KINDS = {
    # Scrapy >= 2.14 wraps Twisted's download errors in its own exceptions.
    "DownloadTimeoutError": "timeout",
    "DownloadCancelledError": "too_large",  # DOWNLOAD_MAXSIZE
    "DownloadConnectionRefusedError": "connection_refused",
    "CannotResolveHostError": "dns",
    "ResponseDataLossError": "connection_lost",
    "DownloadFailedError": "connection_lost",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "DNSLookupError": "dns",
    "ConnectionRefusedError": "connection_refused",
    "ConnectionLost": "connection_lost",
    "ResponseNeverReceived": "connection_lost",
    "ResponseFailed": "connection_lost",
    "CancelledError": "too_large",
    "IgnoreRequest": "ignored",
}


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _content_type(response: Response) -> str:
    return _header(response, "Content-Type") or "unknown"


def _is_text(response: Response) -> bool:
    """Scrapy sniffs some binary bodies (a PDF) as text: trust a declared non-text type."""
    declared = _content_type(response).split(";")[0].strip().lower()
    return declared == "unknown" or declared.startswith("text/") or "html" in declared


_CJK_RUN = re.compile("[\u4e00-\u9fff]+")


def _has_cjk(page: Page, enough: int) -> bool:
    """Whether the page's blocks hold at least ``enough`` Chinese characters (counted until
    there are enough: a character loop over every page was 3% of the crawl's CPU)."""
    count = 0
    for block in page.blocks:
        for run in _CJK_RUN.findall(block.text):
            count += len(run)
            if count >= enough:
                return True
    return False


def _empty_kind(response: TextResponse) -> str:
    return "no_content" if b"</html>" in response.body.lower() else "truncated"
