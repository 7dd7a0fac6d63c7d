"""Pipelines built from a real crawler, on real items, into a temporary SQLite file."""

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import create_engine, text

from fanwen_crawler.items import ArticleItem, FetchErrorItem, VariantItem
from fanwen_crawler.pipelines.clean import CleanPipeline
from fanwen_crawler.pipelines.dedup import DedupPipeline
from fanwen_crawler.pipelines.store import StorePipeline
from fanwen_crawler.pipelines.validate import ValidatePipeline
from fanwen_crawler.spiders.speeches import SpeechesSpider


def seed_like_item(url="https://www.nuenian.com/fanwen/yanjiangzhici/1.html") -> ArticleItem:
    return ArticleItem(
        url=url,
        site="nuenian",
        category="范文/演讲致辞",
        title="禁毒誓师大会上讲话",
        variants=[
            VariantItem(1, "禁毒誓师大会上讲话1", ["同志们:", "提高能力。原创文秘材料,尽在网络。"]),
            VariantItem(
                2, "禁毒誓师大会上讲话2", ["同志们:", "作出新的贡献!", "本文地址:https://x/1.html"]
            ),
        ],
        fetched_at="2026-11-29T10:00:00+00:00",
        html_hash="abc",
        preamble=["下面是查字典范文网小编给大家整理收集的禁毒誓师大会上讲话,欢迎阅读参考。"],
    )


@pytest.fixture
def crawler(sqlite_url):
    crawler = get_crawler(
        SpeechesSpider, {"FANWEN_DATABASE_URL": sqlite_url, "FANWEN_BATCH_SIZE": 2}
    )
    crawler.spider = crawler._create_spider()
    return crawler


def test_validate_rejects_an_article_without_text(crawler):
    item = seed_like_item()
    item.variants = []
    with pytest.raises(DropItem, match="no variants"):
        ValidatePipeline.from_crawler(crawler).process_item(item)


def test_validate_passes_a_good_article_and_errors(crawler):
    pipeline = ValidatePipeline.from_crawler(crawler)
    assert pipeline.process_item(seed_like_item()) is not None
    error = FetchErrorItem(url="http://127.0.0.1/x", kind="http_404", reason="HTTP 404")
    assert pipeline.process_item(error) is error


def test_clean_then_dedup_then_store_writes_clean_rows(crawler, sqlite_url):
    clean, dedup = CleanPipeline.from_crawler(crawler), DedupPipeline()
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    for url in ("https://a/1.html", "https://a/2.html", "https://a/3.html"):
        store.process_item(dedup.process_item(clean.process_item(seed_like_item(url))))
    store.close_spider()
    store.spider_closed(crawler.spider, "finished")
    with create_engine(sqlite_url).connect() as c:
        texts = c.execute(text("SELECT text FROM corpus ORDER BY id")).scalars().all()
        copies = c.execute(
            text("SELECT count(*) FROM variants WHERE duplicate_of IS NOT NULL")
        ).scalar()
        run = c.execute(text("SELECT status, counts FROM crawl_runs")).one()
    assert texts == ["同志们:\n提高能力。", "同志们:\n作出新的贡献!"]
    assert copies == 4
    assert run.status == "finished"
    assert crawler.stats.get_value("fanwen/duplicates/exact") == 4
