"""From extracted page blocks to an ArticleItem split into variants (not yet cleaned)."""

from __future__ import annotations

from datetime import UTC, datetime

from fanwen_crawler.extract import Page
from fanwen_crawler.items import ArticleItem, VariantItem
from fanwen_crawler.textnorm import bytes_hash
from fanwen_crawler.variants import declared_count, split_variants


def build_article(
    page: Page,
    *,
    url: str,
    site: str,
    body: bytes = b"",
    encoding: str = "utf-8",
    http_status: int = 200,
) -> ArticleItem:
    preamble, parts = split_variants(page.paragraphs, page.title)
    _, declared = declared_count(page.title)
    item = ArticleItem(
        url=url,
        site=site,
        category=page.category,
        title=page.title,
        variants=[VariantItem(index, title, paragraphs) for index, title, paragraphs in parts],
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        encoding=encoding,
        html_hash=bytes_hash(body),
        http_status=http_status,
        declared_count=declared,
        preamble=preamble,
    )
    item.removed.extend(page.removed)
    if declared and len(parts) < declared:
        item.warnings.append(f"declared {declared} variants, found {len(parts)}")
    return item
