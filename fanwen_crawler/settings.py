"""Scrapy settings for fanwen-crawler.

Polite by default towards real sites (robots.txt, AutoThrottle, per-domain limits, an
identifying User-Agent). For a local replica override them on the command line, e.g.
``-s AUTOTHROTTLE_ENABLED=False``; ``fanwen demo`` does so itself.
"""

BOT_NAME = "fanwen_crawler"
SPIDER_MODULES = ["fanwen_crawler.spiders"]
NEWSPIDER_MODULE = "fanwen_crawler.spiders"

USER_AGENT = "fanwen-crawler/0.1 (+https://github.com/fanwen-crawler/fanwen-crawler)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Scrapy's default of 100 parallel items per response only adds task churn here (scrapy#5182).
CONCURRENT_ITEMS = 8

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # a 范文 page is ~30 KB; anything this big is not an article
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5

ITEM_PIPELINES = {
    "fanwen_crawler.pipelines.validate.ValidatePipeline": 100,
    "fanwen_crawler.pipelines.clean.CleanPipeline": 200,
    "fanwen_crawler.pipelines.dedup.DedupPipeline": 300,
    "fanwen_crawler.pipelines.store.StorePipeline": 400,
}

# Start-up objects out of the garbage collector's full passes (fanwen_crawler.gcfreeze).
EXTENSIONS = {"fanwen_crawler.gcfreeze.FreezeStartupObjects": 0}
FANWEN_GC_FREEZE = True

DOWNLOADER_MIDDLEWARES = {
    # Stored articles: skipped until due, then fetched conditionally (ETag/Last-Modified).
    "fanwen_crawler.middlewares.incremental.IncrementalMiddleware": 50,
    # Before RedirectMiddleware (600): a redirect back into its own chain is a recorded fault.
    "fanwen_crawler.middlewares.faults.RedirectLoopMiddleware": 650,
}

# Our own settings (all optional; FANWEN_DATABASE_URL also comes from the environment).
FANWEN_DATABASE_URL = None  # default: sqlite:///data/corpus.sqlite
FANWEN_BATCH_SIZE = 50  # items per database transaction
FANWEN_KEEP_RAW_HTML = False  # store zlib-compressed page bytes with each article
FANWEN_NEAR_DUP_THRESHOLD = None  # default: $FANWEN_NEAR_DUP_THRESHOLD, else 0.5 (docs/dedup.md)
FANWEN_INCREMENTAL = True  # stored articles are re-fetched only when due, conditionally
FANWEN_RECRAWL_AFTER = 3.0  # days before a stored article page is due again
FANWEN_RUN_STALE_AFTER = 3600  # seconds without a heartbeat before a `running` run is stale
# Clean, dedup and store in a worker process fed through a bounded queue (the crawl's second
# core; fanwen_crawler/offload.py, docs/performance.md). Off by default: feed exports then see
# items before cleaning. FANWEN_OFFLOAD_QUEUE bounds the items waiting for the worker.
FANWEN_OFFLOAD = False
FANWEN_OFFLOAD_QUEUE = 200

# A distributed crawl (docs/scaling.md): with FANWEN_REDIS_URL set (`fanwen crawl --redis URL`),
# the add-on moves the scheduler and dupefilter to Redis (scrapy-redis) for N workers.
ADDONS = {"fanwen_crawler.distributed.RedisAddon": 0}
SPIDER_MIDDLEWARES = {"fanwen_crawler.distributed.SweepMiddleware": 900}  # FANWEN_SWEEP only
FANWEN_REDIS_URL = None  # e.g. redis://10.0.0.5:6379/0
FANWEN_REDIS_PREFIX = ""  # keys <prefix><spider>:requests / :dupefilter / :start_urls
FANWEN_REDIS_IDLE_CLOSE = 30  # seconds of empty frontier before a worker stops
FANWEN_REDIS_POLL = 1.0  # seconds between an idle worker's looks at the shared queue
FANWEN_SWEEP = False  # fetch only article pages the database holds neither as row nor error

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# `scrapy check`: @fixture runs a callback on a bundled replica page (no network needed).
SPIDER_CONTRACTS = {"fanwen_crawler.contracts.FixtureContract": 10}
