"""Item pipelines, one job each: validate (100), clean (200), dedup (300), store (400)."""

from scrapy.exceptions import NotConfigured


def skip_when_offloaded(crawler) -> None:
    """Under FANWEN_OFFLOAD the offload worker runs this pipeline (``fanwen_crawler.offload``):
    NotConfigured leaves it out of the crawl's item chain, where it would cost the crawl's
    process a hop per item for nothing."""
    if crawler.settings.getbool("FANWEN_OFFLOAD"):
        raise NotConfigured
