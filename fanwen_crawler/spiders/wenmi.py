"""演讲致辞 on the GBK-encoded 文秘网 layout.

Facts about the layout: pages are GB2312/GBK, declared only in a ``<meta http-equiv>``;
the listing paginates as ``list_N.html`` under ``/yanjiang/`` while articles live under
another path, ``/a/<number>.html``; bodies are ``<p>`` paragraphs or ``<br>``-separated text;
variants are headed ``篇一:副标题``, ``第一篇:…`` or ``范文一`` and titles declare a count.
"""

import re

from fanwen_crawler.extract import Profile
from fanwen_crawler.spiders.base import FanwenSpider


class WenmiSpider(FanwenSpider):
    name = "wenmi"
    default_start_url = "http://127.0.0.1:8800/wenmi/yanjiang/list_1.html"
    profile = Profile(site="wenmi", title="div.title h1", breadcrumb="div.crumbs", body="#article")
    article_pattern = re.compile(r"/a/\d+\.html$")
    listing_pattern = re.compile(r"/yanjiang/list_\d+\.html$")
    fixtures = {
        "listing": "wenmi/yanjiang/list_1.html",
        "article": "wenmi/a/3101.html",
    }
