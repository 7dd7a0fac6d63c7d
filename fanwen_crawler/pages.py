"""Turning inputs outside a crawl (a saved page, a URL, a text file) into cleaned articles.

The same functions as the crawl: extraction → variant split → cleaning.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

from scrapy.http import HtmlResponse

from fanwen_crawler.article import build_article
from fanwen_crawler.clean import clean_article
from fanwen_crawler.extract import Profile, extract_page, fix_encoding, text_page
from fanwen_crawler.items import ArticleItem

MAX_PAGE_BYTES = 8 * 1024 * 1024  # as DOWNLOAD_MAXSIZE: bigger is not an article page
USER_AGENT = "fanwen-crawler/0.1 (fanwen extract)"


def profiles() -> dict[str, Profile]:
    """Known site profiles by site name, from the spiders."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    found = {}
    for name in loader.list():
        profile = getattr(loader.load(name), "profile", None)
        if profile and profile.site:
            found[profile.site] = profile
    return found


def article_from_html(
    body: bytes, url: str, site: str = "", headers: dict | None = None
) -> ArticleItem:
    if len(body) > MAX_PAGE_BYTES:
        raise ValueError(f"page is {len(body)} bytes, over the {MAX_PAGE_BYTES} byte limit")
    response = HtmlResponse(url=url, body=body, headers=headers or {})
    response, warning = fix_encoding(response)
    profile = profiles().get(site) if site else None
    page = extract_page(response.selector, profile)
    item = build_article(
        page, url=url, site=site or "unknown", body=body, encoding=response.encoding
    )
    if warning:
        item.warnings.append(warning)
    return clean_article(item)


def article_from_text(text: str, url: str, site: str = "", title: str = "") -> ArticleItem:
    """One paragraph per line; title and breadcrumb found as extract.text_page says."""
    page = text_page(text.splitlines(), title)
    item = build_article(page, url=url, site=site or "text", body=text.encode("utf-8"))
    return clean_article(item)


def fetch(url: str, timeout: float = 30.0) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http only)
        body = response.read(MAX_PAGE_BYTES + 1)
        return body, dict(response.headers.items())


def article_from_source(source: str, url: str = "", site: str = "", title: str = "") -> ArticleItem:
    """A .html/.htm file, a .txt file, or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        body, headers = fetch(source)
        return article_from_html(body, url or source, site, headers)
    path = Path(source)
    if path.suffix.lower() == ".txt":
        return article_from_text(
            path.read_text(encoding="utf-8"), url or path.resolve().as_uri(), site, title
        )
    if path.suffix.lower() in {".html", ".htm"}:
        return article_from_html(path.read_bytes(), url or path.resolve().as_uri(), site)
    raise ValueError(f"not a .html, .htm or .txt file, nor an http(s) URL: {source}")


def article_json(item: ArticleItem) -> dict:
    """The contract's JSON shape of an extracted article (DESIGN §4)."""
    return {
        "url": item.url,
        "title": item.title,
        "category": item.category,
        "declared_count": item.declared_count,
        "variants": [{"index": v.index, "title": v.title, "text": v.text} for v in item.variants],
        "removed": item.removed,
        "warnings": item.warnings,
    }
