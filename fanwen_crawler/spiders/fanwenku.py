"""演讲稿 on the 范文库 layout: ``篇一`` variants and ``_2.html`` continuation pages.

Facts about the layout: a long article continues on ``<id>_2.html``, ``<id>_3.html`` (a
variant may run across the page break); the first page carries a truncation notice
(``(未完,全文共N字…)``); the listing paginates as ``index_N.html``.
"""

import re

from fanwen_crawler.extract import Profile
from fanwen_crawler.spiders.base import FanwenSpider


class FanwenkuSpider(FanwenSpider):
    name = "fanwenku"
    default_start_url = "http://127.0.0.1:8800/fanwenku/yanjianggao/"
    profile = Profile(
        site="fanwenku", title="h1.art-title", breadcrumb="div.breadcrumb", body="div.art-body"
    )
    article_pattern = re.compile(r"/yanjianggao/\d+\.html$")
    listing_pattern = re.compile(r"/yanjianggao/(?:index_\d+\.html)?$")
    fixtures = {
        "listing": "fanwenku/yanjianggao/index.html",
        "article": "fanwenku/yanjianggao/5204.html",
    }
