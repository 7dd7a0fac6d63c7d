"""演讲致辞 on nuenian.com (the first target site; the seed page's layout).

Facts about the site: articles live at ``/fanwen/<category>/<32 hex>.html`` beside their
listing, which paginates as ``list_2.html``…; variants are headed ``标题1``/``标题2`` (or
``标题篇1``) in ``<h2>`` or bold paragraphs; a watermark sentence (``原创文秘材料,尽在网络。``)
is glued to the end of some body paragraphs.
"""

import re

from fanwen_crawler.extract import Profile
from fanwen_crawler.spiders.base import FanwenSpider


class SpeechesSpider(FanwenSpider):
    name = "speeches"
    default_start_url = "https://www.nuenian.com/fanwen/yanjiangzhici/"
    profile = Profile(
        site="nuenian", title="div.article h1", breadcrumb="div.position", body="div.content"
    )
    article_pattern = re.compile(r"/fanwen/yanjiangzhici/[0-9a-f]{32}\.html$")
    listing_pattern = re.compile(r"/fanwen/yanjiangzhici/(?:list_\d+\.html)?$")
    fixtures = {
        "listing": "nuenian/fanwen/yanjiangzhici/index.html",
        "article": "nuenian/fanwen/yanjiangzhici/07d16818ebe34cf828ffd1e42b346479.html",
    }
