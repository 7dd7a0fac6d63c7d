"""A ``scrapy check`` contract that runs a callback on a bundled replica page, offline.

``@fixture listing`` sets the request URL to the spider's ``fixtures["listing"]``, a file of
``data/replica`` (as a ``file://`` URL), so the contracts written once on the base spider's
callbacks check every site's spider on a page of its own layout, with no network.
"""

from scrapy.contracts import Contract

from fanwen_crawler.paths import DATA_DIR


class FixtureContract(Contract):
    name = "fixture"

    def __init__(self, method, *args):
        super().__init__(method, *args)
        self.spider = method.__self__

    def adjust_request_args(self, args):
        spider = self.spider
        path = spider.fixtures[self.args[0]]
        args["url"] = (DATA_DIR / "replica" / path).resolve().as_uri()
        return args
