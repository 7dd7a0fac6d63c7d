"""Remove boilerplate and watermarks (fanwen_crawler.clean).

An article with no text left is not dropped silently: it becomes a fetch error row.
"""

from __future__ import annotations

from fanwen_crawler.clean import clean_article
from fanwen_crawler.items import ArticleItem, FetchErrorItem
from fanwen_crawler.learned import existing_table
from fanwen_crawler.pipelines import skip_when_offloaded
from fanwen_crawler.timing import timed_stage


class CleanPipeline:
    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        skip_when_offloaded(crawler)
        return cls(crawler.stats)

    @timed_stage("clean")
    def process_item(self, item, spider=None):
        if not isinstance(item, ArticleItem):
            return item
        # Recurring lines learned from the site's pages, when its spider learns (generic).
        clean_article(item, existing_table(item.site))
        if self.stats:
            self.stats.inc_value("fanwen/boilerplate/removed", len(item.removed))
            self.stats.inc_value("fanwen/variants/split", len(item.variants))
        if not item.variants:
            if self.stats:
                self.stats.inc_value("fanwen/errors/no_text_after_cleaning")
            return FetchErrorItem(
                url=item.url,
                kind="no_text_after_cleaning",
                reason=f"every paragraph was boilerplate ({len(item.removed)} removed)",
                site=item.site,
                http_status=item.http_status,
            )
        return item
