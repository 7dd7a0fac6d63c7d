"""FANWEN_GC_FREEZE (default on): objects that live as long as the process are frozen out of
Python's cyclic garbage collector once the crawl's engine has started.

Everything loaded by then (Scrapy, Twisted, SQLAlchemy, lxml, numpy, OpenCC's tables, the
spiders and their pipelines) stays until the process ends, yet every full collection walks
it again: in a 5,000-page crawl of the benchmark site, collections took ~14% of the crawl's
CPU (``benchmarks/crawl_throughput.py``, docs/performance.md). ``gc.freeze()`` moves them to a
permanent generation that collections skip; objects made later are collected as before.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.exceptions import NotConfigured


class FreezeStartupObjects:
    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("FANWEN_GC_FREEZE", True):
            raise NotConfigured
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self) -> None:
        frozen = freeze_start_up_objects()
        if self.stats is not None:
            self.stats.set_value("fanwen/gc/frozen_objects", frozen)


def freeze_start_up_objects() -> int:
    """Collect what start-up left unreachable, freeze the rest; how many objects are frozen.

    Once per process: the first crawler's engine start (``fanwen demo`` runs three crawlers
    in one process; later ones would freeze the first one's requests in flight). Also called
    by the offload worker once it has loaded what it runs."""
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()
    return gc.get_freeze_count()
