"""`fanwen push`: hand start URLs to the workers of a distributed crawl, or clear its frontier."""

from __future__ import annotations

import json

import click

from fanwen_crawler.db import redact


@click.command()
@click.argument("spider")
@click.argument("urls", nargs=-1, metavar="[URL]...")
@click.option(
    "--redis",
    "redis_url",
    required=True,
    metavar="URL",
    help="The Redis server the workers share (the same URL as their `fanwen crawl --redis`).",
)
@click.option(
    "--prefix",
    default="",
    show_default=False,
    help="The job's key prefix (the workers' FANWEN_REDIS_PREFIX setting; default none).",
)
@click.option(
    "--reset",
    is_flag=True,
    help="First delete the job's frontier: pending requests, seen fingerprints, start URLs "
    "(a finished job's fingerprints would otherwise keep every page from being fetched again).",
)
def push(spider: str, urls: tuple[str, ...], redis_url: str, prefix: str, reset: bool) -> None:
    """Push start URLs to Redis for the `fanwen crawl SPIDER --redis URL` workers.

    Each URL is added to the list `<prefix><SPIDER>:start_urls`; an idle worker takes it and
    crawls it as a listing page. Prints the job's frontier as JSON: pending requests, seen
    fingerprints, waiting start URLs. Without URLs (and without --reset) it only prints that.
    """
    from fanwen_crawler.distributed import frontier_counts, push_start_urls, reset_frontier

    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise click.BadParameter(f"not an http(s) URL: {bad[0]}", param_hint="URL")
    try:
        if reset:
            removed = reset_frontier(redis_url, spider, prefix)
            where = redact(redis_url)
            click.echo(f"removed {removed} keys of {prefix}{spider} from {where}", err=True)
        if urls:
            push_start_urls(redis_url, spider, urls, prefix)
            click.echo(f"pushed {len(urls)} start URLs to {redact(redis_url)}", err=True)
        counts = frontier_counts(redis_url, spider, prefix)
    except Exception as error:  # redis.ConnectionError and friends: say it plainly
        raise click.ClickException(f"Redis at {redact(redis_url)}: {error}") from error
    click.echo(json.dumps(counts))
