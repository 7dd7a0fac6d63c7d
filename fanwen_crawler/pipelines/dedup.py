"""Give every variant its exact hash over the comparison form (width, spacing, script and
placeholders folded; see ``fanwen_crawler.textnorm``).

Whether the text is already stored, exactly or nearly (MinHash/LSH over the persistent band
index, ``fanwen_crawler.neardup``), is decided by the store, inside its transaction, so that
duplicates are found across runs, sites and concurrent workers, not only within this
process. The store counts them as ``fanwen/duplicates/exact`` and ``fanwen/duplicates/near``.
"""

from __future__ import annotations

from fanwen_crawler.items import ArticleItem
from fanwen_crawler.pipelines import skip_when_offloaded
from fanwen_crawler.textnorm import exact_hash
from fanwen_crawler.timing import timed_stage


class DedupPipeline:
    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        skip_when_offloaded(crawler)
        return cls(crawler.stats)

    @timed_stage("dedup")
    def process_item(self, item, spider=None):
        if isinstance(item, ArticleItem):
            for variant in item.variants:
                variant.exact_hash = exact_hash(variant.text)
        return item
