"""The items spiders yield and pipelines transform: one article type, one error type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class VariantItem:
    """One text of an article page: pages often hold several (`篇一`, `标题1`…)."""

    index: int
    title: str
    paragraphs: list[str]
    text: str = ""  # set by the clean pipeline: paragraphs joined by newlines
    exact_hash: str = ""  # set by the dedup pipeline, over the comparison form


@dataclass
class ArticleItem:
    """One article page (continuation pages merged), split into its variants."""

    url: str
    site: str
    category: str
    title: str
    variants: list[VariantItem]
    fetched_at: str
    encoding: str = "utf-8"
    html_hash: str = ""
    http_status: int = 200
    declared_count: int | None = None
    preamble: list[str] = field(default_factory=list)  # paragraphs before the first variant
    continuation_urls: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    raw_html: bytes | None = None
    removed: list[dict[str, Any]] = field(default_factory=list)  # the cleaning audit
    warnings: list[str] = field(default_factory=list)


@dataclass
class FetchErrorItem:
    """A page that gave no article: HTTP error, timeout, empty or unparseable body."""

    url: str
    kind: str  # http_404, http_500, timeout, dns, empty, no_content, too_large, …
    reason: str
    site: str = ""
    http_status: int | None = None
