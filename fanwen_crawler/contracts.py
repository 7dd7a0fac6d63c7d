"""A ``scrapy check`` contract that runs a callback on a bundled replica page, offline.

``@fixture nuenian/fanwen/yanjiangzhici/index.html`` sets the request URL to that file of
``data/replica`` (a ``file://`` URL), so contracts need neither the real site nor a network.
"""

from scrapy.contracts import Contract

from fanwen_crawler.paths import DATA_DIR


class FixtureContract(Contract):
    name = "fixture"

    def adjust_request_args(self, args):
        args["url"] = (DATA_DIR / "replica" / self.args[0]).resolve().as_uri()
        return args
