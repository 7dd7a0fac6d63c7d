"""Give every variant its exact hash over the comparison form (width, spacing folded).

Whether the hash is already stored is decided by the store, inside its transaction, so that
duplicates are found across runs and workers, not only within this process.
"""

from __future__ import annotations

from fanwen_crawler.items import ArticleItem
from fanwen_crawler.textnorm import exact_hash
from fanwen_crawler.timing import timed_stage


class DedupPipeline:
    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    @timed_stage("dedup")
    def process_item(self, item, spider=None):
        if isinstance(item, ArticleItem):
            for variant in item.variants:
                variant.exact_hash = exact_hash(variant.text)
        return item
