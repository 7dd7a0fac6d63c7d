"""Spider callbacks fed the replica's exact bytes as Scrapy responses (GBK stays GBK)."""

from __future__ import annotations

import json

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from fanwen_crawler.items import ArticleItem, FetchErrorItem
from fanwen_crawler.paths import DATA_DIR
from fanwen_crawler.spiders.fanwenku import FanwenkuSpider
from fanwen_crawler.spiders.speeches import SpeechesSpider
from fanwen_crawler.spiders.wenmi import WenmiSpider

REPLICA = DATA_DIR / "replica"
MANIFEST = json.loads((REPLICA / "manifest.json").read_text(encoding="utf-8"))
SPIDERS = {"nuenian": SpeechesSpider, "wenmi": WenmiSpider, "fanwenku": FanwenkuSpider}
SEED = "/nuenian/fanwen/yanjiangzhici/07d16818ebe34cf828ffd1e42b346479.html"


def spider_for(site: str):
    crawler = get_crawler(SPIDERS[site])
    return crawler._create_spider()


def response(path: str, headers: dict | None = None) -> HtmlResponse:
    url = "http://127.0.0.1:8800" + path
    file = REPLICA / path.lstrip("/")
    if file.is_dir():
        file = file / "index.html"
    return HtmlResponse(
        url=url, body=file.read_bytes(), headers=headers or {}, request=Request(url)
    )


def single_pages(site: str) -> list[dict]:
    return [a for a in MANIFEST["articles"] if a["site"] == site and not a["continuation_paths"]]


def test_seed_page_has_two_variants():
    (item,) = spider_for("nuenian").parse_article(response(SEED))
    assert isinstance(item, ArticleItem)
    assert [v.title for v in item.variants] == ["禁毒誓师大会上讲话1", "禁毒誓师大会上讲话2"]
    assert item.category == "范文/演讲致辞"
    assert item.title == "禁毒誓师大会上讲话"


@pytest.mark.parametrize("site", sorted(SPIDERS))
def test_every_single_page_article_splits_into_its_variants(site):
    spider = spider_for(site)
    for page in single_pages(site):
        if page["path"] in {r["path"] for r in MANIFEST["recoverable"]}:
            continue
        (item,) = spider.parse_article(response(page["path"]))
        assert [(v.index, v.title) for v in item.variants] == [
            (v["index"], v["title"]) for v in page["variants"]
        ], page["path"]
        assert item.declared_count == page["declared_count"]


def test_gbk_page_is_decoded_from_its_meta_charset():
    page = single_pages("wenmi")[0]
    raw = (REPLICA / page["path"].lstrip("/")).read_bytes()
    assert page["title"].encode("gbk") in raw  # the fixture really is GBK bytes
    (item,) = spider_for("wenmi").parse_article(
        response(page["path"], {"Content-Type": "text/html"})
    )
    assert item.encoding in {"gb18030", "gbk", "gb2312"}
    assert item.title == page["title"]


def test_lying_charset_is_redecoded_and_noted():
    (page,) = MANIFEST["recoverable"]
    headers = {"Content-Type": "text/html; charset=utf-8"}
    (item,) = spider_for("wenmi").parse_article(response(page["path"], headers))
    assert item.title == page["article"]["title"]
    assert any("charset_mismatch" in w for w in item.warnings)


def test_continued_article_asks_for_its_next_page_first():
    page = next(a for a in MANIFEST["articles"] if a["continuation_paths"])
    (request,) = spider_for("fanwenku").parse_article(response(page["path"]))
    assert request.url.endswith(page["continuation_paths"][0])


def test_listing_yields_article_and_pagination_requests():
    site = MANIFEST["sites"]["wenmi"]
    requests = list(spider_for("wenmi").parse(response(site["start_path"])))
    urls = [r.url for r in requests]
    assert any("/wenmi/a/" in u for u in urls)
    assert any(u.endswith(site["listing_paths"][1]) for u in urls)


@pytest.mark.parametrize("kind", ["truncated", "empty"])
def test_broken_page_becomes_an_error_item(kind):
    broken = next(b for b in MANIFEST["broken"] if b["kind"] == kind)
    (item,) = spider_for(broken["site"]).parse_article(response(broken["path"]))
    assert isinstance(item, FetchErrorItem) and item.kind == kind


def test_a_page_without_the_profiles_body_is_counted_as_a_profile_miss():
    broken = next(b for b in MANIFEST["broken"] if b["kind"] == "truncated")
    spider = spider_for(broken["site"])
    list(spider.parse_article(response(broken["path"])))
    assert spider.crawler.stats.get_value("fanwen/extract/profile_miss") == 1


def test_a_profiled_page_is_not_a_profile_miss():
    spider = spider_for("nuenian")
    list(spider.parse_article(response(SEED)))
    assert spider.crawler.stats.get_value("fanwen/extract/profile_miss") is None
