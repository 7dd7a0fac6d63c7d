"""Remove boilerplate and watermarks (fanwen_crawler.clean); drop articles left with no text."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from fanwen_crawler.clean import clean_article
from fanwen_crawler.items import ArticleItem


class CleanPipeline:
    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item, spider=None):
        if not isinstance(item, ArticleItem):
            return item
        clean_article(item)
        if self.stats:
            self.stats.inc_value("fanwen/boilerplate/removed", len(item.removed))
            self.stats.inc_value("fanwen/variants/split", len(item.variants))
        if not item.variants:
            raise DropItem(f"nothing left after cleaning {item.url}")
        return item
