"""Faults the downloader sees that Scrapy would otherwise drop without a trace.

A redirect loop (``a → b → a``) never reaches ``REDIRECT_MAX_TIMES`` in a crawl: the second
``a`` is a duplicate request and the dupefilter drops it silently. ``RedirectLoopMiddleware``
sits before Scrapy's RedirectMiddleware and turns a redirect back to a URL of the chain into a
``RedirectLoop`` failure, which the spider's errback records as a ``redirect_loop`` error.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from w3lib.url import safe_url_string


class RecordedIgnore(IgnoreRequest):
    """A request given up for a known reason; the spider records it as an error of ``kind``."""

    kind = "ignored"


class RedirectLoop(RecordedIgnore):
    kind = "redirect_loop"


class RedirectLoopMiddleware:
    """Fail a redirect whose target is already in the request's redirect chain."""

    def process_response(self, request: Request, response: Response, spider=None):
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        location = response.headers[b"Location"].decode("latin-1")
        target = safe_url_string(response.urljoin(location))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            raise RedirectLoop(f"redirect loop: {' → '.join([*chain, target])}")
        return response
