"""Reject items that cannot become corpus rows, with a reason; pass fetch errors through."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from fanwen_crawler.items import ArticleItem, FetchErrorItem
from fanwen_crawler.timing import timed_stage


class ValidatePipeline:
    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    @timed_stage("validate")
    def process_item(self, item, spider=None):
        if isinstance(item, FetchErrorItem):
            return item
        if not isinstance(item, ArticleItem):
            raise DropItem(f"not an article item: {type(item).__name__}")
        problems = validate(item)
        if problems:
            if self.stats:
                self.stats.inc_value("fanwen/items/invalid")
            raise DropItem(f"invalid article {item.url}: {'; '.join(problems)}")
        return item


def validate(item: ArticleItem) -> list[str]:
    """What is wrong with an article item (empty list: nothing)."""
    problems = []
    if not item.url.startswith(("http://", "https://", "file://")):
        problems.append(f"url is not absolute: {item.url!r}")
    if not item.title.strip():
        problems.append("no title")
    if not item.site:
        problems.append("no site")
    if not item.variants:
        problems.append("no variants")
    if not any(p.strip() for v in item.variants for p in v.paragraphs):
        problems.append("no body text")
    indexes = [v.index for v in item.variants]
    if len(indexes) != len(set(indexes)):
        problems.append(f"repeated variant indexes {indexes}")
    return problems
