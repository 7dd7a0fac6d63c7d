"""Per-stage timings land in the crawl's Scrapy stats (what the benchmark reports)."""

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from fanwen_crawler.paths import DATA_DIR
from fanwen_crawler.pipelines.clean import CleanPipeline
from fanwen_crawler.pipelines.dedup import DedupPipeline
from fanwen_crawler.pipelines.store import StorePipeline
from fanwen_crawler.pipelines.validate import ValidatePipeline
from fanwen_crawler.spiders.speeches import SpeechesSpider
from fanwen_crawler.timing import PREFIX, stage_times, timed, timed_stage

SEED = "nuenian/fanwen/yanjiangzhici/07d16818ebe34cf828ffd1e42b346479.html"


def test_every_stage_of_a_crawl_records_its_time(sqlite_url):
    crawler = get_crawler(SpeechesSpider, {"FANWEN_DATABASE_URL": sqlite_url})
    spider = crawler.spider = crawler._create_spider()
    url = "http://127.0.0.1:8800/" + SEED
    page = HtmlResponse(
        url=url, body=(DATA_DIR / "replica" / SEED).read_bytes(), request=Request(url)
    )
    (item,) = spider.parse_article(page)
    stages = [
        ValidatePipeline.from_crawler(crawler),
        CleanPipeline.from_crawler(crawler),
        DedupPipeline.from_crawler(crawler),
    ]
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    for stage in stages:
        item = stage.process_item(item)
    store.process_item(item)
    store.close_spider()
    times = stage_times(crawler.stats.get_stats())
    assert set(times) == {"extract", "validate", "clean", "dedup", "near_dup", "store"}
    assert all(t["seconds"] > 0 for t in times.values())
    assert times["clean"]["calls"] == 1
    assert times["store"]["calls"] == 2  # the item, then the final flush


class _Stats:
    def __init__(self):
        self.values = {}

    def inc_value(self, key, count=1, start=0):
        self.values[key] = self.values.get(key, start) + count


def test_a_failing_stage_still_counts_its_time():
    class Pipeline:
        stats = _Stats()

        @timed_stage("boom")
        def process_item(self, item, spider=None):
            raise ValueError(item)

    pipeline = Pipeline()
    with pytest.raises(ValueError):
        pipeline.process_item("x")
    assert pipeline.stats.values[f"{PREFIX}boom/calls"] == 1


async def _async_stage_runs(stats):
    class Pipeline:
        @timed_stage("later")
        async def process_item(self, item, spider=None):
            return item

    pipeline = Pipeline()
    pipeline.stats = stats
    return await pipeline.process_item("x")


def test_async_stages_are_timed_and_return_their_result():
    import asyncio

    stats = _Stats()
    assert asyncio.run(_async_stage_runs(stats)) == "x"
    with timed(stats, "later"):
        pass
    assert stats.values[f"{PREFIX}later/calls"] == 2
    assert stage_times(stats.values)["later"]["seconds"] >= 0
