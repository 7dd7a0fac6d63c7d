"""The ``fanwen`` command line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from fanwen_crawler.db import redact, resolve_url

# Spider → path of its category on the bundled replica site.
REPLICA_SPIDERS = {
    "speeches": "/nuenian/fanwen/yanjiangzhici/",
    "wenmi": "/wenmi/yanjiang/list_1.html",
    "fanwenku": "/fanwenku/yanjianggao/",
}
# Local replica runs need no politeness delays; real sites keep the defaults.
LOCAL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "WARNING",
}

db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL (default: $FANWEN_DATABASE_URL, then sqlite:///data/corpus.sqlite). "
    "A bare path is a SQLite file.",
)


def project_settings(db_url: str | None, overrides: dict | None = None):
    """Scrapy settings as `scrapy crawl` sees them, with -s overrides and the database URL."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "fanwen_crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict(overrides or {}, priority="cmdline")
    settings.set("FANWEN_DATABASE_URL", resolve_url(db_url, settings), priority="cmdline")
    return settings


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-s")
        overrides[name] = value
    return overrides


def run_spiders(settings, jobs: list[tuple[str, dict]]) -> list[str]:
    """Run spiders in one Scrapy process; return each crawl's finish reason."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawlers = []
    for spider, kwargs in jobs:
        crawler = process.create_crawler(spider)
        crawlers.append(crawler)
        process.crawl(crawler, **kwargs)
    process.start()
    return [str(c.stats.get_value("finish_reason")) for c in crawlers]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fanwen-crawler")
def main() -> None:
    """Crawl Chinese model-essay (范文) sites into a clean, deduplicated SQL corpus.

    Start with `fanwen demo`: it crawls the bundled replica site into a SQLite file.
    """


@main.command()
@db_option
def demo(db_url: str | None) -> None:
    """Serve the bundled replica site on 127.0.0.1 and crawl it with the real spiders.

    Runs every replica spider into the database, then prints a summary of the corpus.
    """
    from fanwen_crawler.db import open_database
    from fanwen_crawler.replica.server import ReplicaServer
    from fanwen_crawler.summary import corpus_summary, format_summary

    settings = project_settings(db_url, LOCAL_SETTINGS)
    url = settings["FANWEN_DATABASE_URL"]
    with ReplicaServer() as server:
        click.echo(f"replica site at {server.url}; crawling into {redact(url)}")
        reasons = run_spiders(
            settings,
            [
                (spider, {"start_url": server.url + path})
                for spider, path in REPLICA_SPIDERS.items()
            ],
        )
    click.echo(format_summary(corpus_summary(open_database(url))))
    if any(reason != "finished" for reason in reasons):
        raise click.ClickException(f"a crawl did not finish: {reasons}")


@main.command(context_settings={"ignore_unknown_options": False})
@click.argument("spider")
@click.option(
    "--start-url",
    "start_urls",
    multiple=True,
    metavar="URL",
    help="Where to start instead of the spider's default (repeatable).",
)
@db_option
@click.option(
    "-s",
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy setting, as in `scrapy crawl -s`.",
)
@click.option(
    "-a",
    "spider_args",
    multiple=True,
    metavar="NAME=VALUE",
    help="Pass an argument to the spider, as in `scrapy crawl -a`.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Keep the crawl's state in a job directory (Scrapy's JOBDIR) and continue an "
    "interrupted crawl from it; a finished crawl removes it. Use it for scheduled crawls.",
)
@click.option(
    "--jobdir",
    metavar="DIR",
    help="Job directory for --resume (default: data/jobs/SPIDER).",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    help="Be one worker of a distributed crawl: share the frontier (scheduler, dupefilter, "
    "pushed start URLs) in this Redis server (sets FANWEN_REDIS_URL; see docs/scaling.md).",
)
@click.option(
    "--sweep",
    is_flag=True,
    help="Walk the listings again and fetch only the article pages the database holds "
    "neither as an article nor as an error (after a distributed crawl: nothing is lost).",
)
def crawl(
    spider: str,
    start_urls: tuple[str, ...],
    db_url: str | None,
    overrides: tuple[str, ...],
    spider_args: tuple[str, ...],
    resume: bool,
    jobdir: str | None,
    redis_url: str | None,
    sweep: bool,
) -> None:
    """Run SPIDER as `scrapy crawl SPIDER` would, with the project's settings and pipelines.

    Spiders: speeches (nuenian.com 演讲致辞), wenmi, fanwenku. Real sites are crawled
    politely (robots.txt, AutoThrottle); for a local site add -s AUTOTHROTTLE_ENABLED=False.

    With --redis, start any number of these on any machines: they share one frontier and stop
    once it has stayed empty for FANWEN_REDIS_IDLE_CLOSE seconds. Without --start-url they
    wait for start URLs pushed with `fanwen push`.
    """
    extra = parse_overrides(overrides)
    if redis_url:
        extra["FANWEN_REDIS_URL"] = redis_url
    if sweep:
        extra["FANWEN_SWEEP"] = "True"
    settings = project_settings(db_url, extra)
    if settings.get("FANWEN_REDIS_URL") and (sweep or resume or jobdir):
        # A distributed frontier already outlives its workers, in Redis.
        raise click.UsageError("--sweep and --resume run one plain process: drop --redis")
    kwargs = parse_overrides(spider_args)
    if start_urls:
        kwargs["start_url"] = " ".join(start_urls)
    click.echo(f"crawling with {spider} into {redact(settings['FANWEN_DATABASE_URL'])}", err=True)
    if settings.get("FANWEN_REDIS_URL"):
        from fanwen_crawler.distributed import check_redis

        problem = check_redis(settings["FANWEN_REDIS_URL"])
        if problem:
            raise click.ClickException(problem)
        click.echo(f"sharing the frontier in {redact(settings['FANWEN_REDIS_URL'])}", err=True)
    job = None
    if resume or jobdir:
        from fanwen_crawler.jobs import JobBusy, close_job, job_path, open_job

        try:
            job = open_job(job_path(spider, jobdir), resume=resume)
        except JobBusy as error:
            raise click.ClickException(str(error)) from error
        settings.set("JOBDIR", str(job.path), priority="cmdline")
        click.echo(f"job directory {job.path} ({job.state})", err=True)
    (reason,) = run_spiders(settings, [(spider, kwargs)])
    if job is not None:
        close_job(job, reason)
    if reason != "finished":
        raise click.ClickException(f"crawl ended: {reason}")


@main.command()
@click.argument("source", metavar="PATH_OR_URL")
@click.option("--url", default="", help="The page's URL, when SOURCE is a saved file.")
@click.option("--site", default="", help="Site profile to use (nuenian, wenmi, fanwenku…).")
@click.option("--title", default="", help="Title of a .txt text (default: its first line).")
def extract(source: str, url: str, site: str, title: str) -> None:
    """Print the extraction and cleaning of one page as JSON, exactly as a crawl stores it.

    SOURCE is an .html/.htm file (encoding detected as Scrapy does), a .txt file (UTF-8,
    one paragraph per line) or an http(s) URL.
    """
    from fanwen_crawler.pages import article_from_source, article_json

    try:
        item = article_from_source(source, url=url, site=site, title=title)
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(article_json(item), ensure_ascii=False, indent=2))


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(db_url: str | None, as_json: bool) -> None:
    """Corpus counts: articles, variants, distinct texts, duplicates, errors, per site."""
    from fanwen_crawler.db import open_database
    from fanwen_crawler.summary import corpus_summary, format_summary

    summary = corpus_summary(open_database(resolve_url(db_url)))
    click.echo(json.dumps(summary, ensure_ascii=False) if as_json else format_summary(summary))


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; the replica is for local runs, keep it on loopback.",
)
@click.option("--port", default=8800, show_default=True, type=int)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Replica directory (default: the bundled data/replica).",
)
def replica(host: str, port: int, root: Path | None) -> None:
    """Serve the bundled replica site for manual crawls (Ctrl-C stops it)."""
    from fanwen_crawler.replica.server import serve_forever

    try:
        serve_forever(host, port, root)
    except KeyboardInterrupt:
        sys.exit(0)


# Commands in fanwen_crawler/commands/: (module, command function name).
EXTRA_COMMANDS: list[tuple[str, str]] = [
    ("search", "search"),
    ("runs", "runs"),
    ("push", "push"),
    ("export", "export"),
    ("browse", "browse"),
    ("schema", "schema"),
    ("report", "report"),
    ("dups", "dups"),
]


def _register_extra_commands() -> None:
    import importlib

    for module, name in EXTRA_COMMANDS:
        main.add_command(
            getattr(importlib.import_module(f"fanwen_crawler.commands.{module}"), name)
        )


if __name__ == "__main__":
    # `python -m fanwen_crawler.cli`: run the package module's group, so that command modules
    # importing `db_option` from fanwen_crawler.cli share one module (no circular import).
    from fanwen_crawler.cli import main as package_main

    package_main()
else:
    _register_extra_commands()
