"""``fanwen runs``: the crawl runs recorded in the database, newest first."""

from __future__ import annotations

import json

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from fanwen_crawler.cli import db_option
from fanwen_crawler.db import resolve_url
from fanwen_crawler.models import CrawlRun
from fanwen_crawler.runs import STATUSES

# Columns of the table: (heading, count key).
COLUMNS = [
    ("fetched", "pages/fetched"),
    ("skipped", "pages/skipped_unchanged"),
    ("new", "articles/new"),
    ("updated", "articles/updated"),
    ("variants", "variants"),
    ("errors", "errors"),
]


def _row(run: CrawlRun, with_stats: bool) -> dict:
    row = {
        "id": run.id,
        "spider": run.spider,
        "status": run.status,
        "started_at": run.started_at.isoformat(timespec="seconds"),
        "finished_at": run.finished_at.isoformat(timespec="seconds") if run.finished_at else None,
        "finish_reason": run.finish_reason,
        "counts": run.counts or {},
    }
    if with_stats:
        row["stats"] = run.stats or {}
    return row


@click.command()
@db_option
@click.option("--spider", help="Only runs of this spider.")
@click.option("--status", type=click.Choice(STATUSES), help="Only runs with this status.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run (JSON Lines).")
@click.option("--stats", "with_stats", is_flag=True, help="With --json: add Scrapy's stats.")
def runs(
    db_url: str | None,
    spider: str | None,
    status: str | None,
    limit: int,
    as_json: bool,
    with_stats: bool,
) -> None:
    """List crawl runs, newest first: status, times, and what each run did.

    Status is running, finished, failed (e.g. the database stayed away) or interrupted
    (Ctrl-C/SIGTERM, or a killed process found at the next start). Counts: pages fetched,
    pages skipped as unchanged (not due, 304, same body), articles new and updated, variants
    stored, errors (by kind with --json, under errors/KIND; duplicates under duplicates/).
    """
    from fanwen_crawler.db import open_database

    engine = open_database(resolve_url(db_url))
    query = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
    if spider:
        query = query.where(CrawlRun.spider == spider)
    if status:
        query = query.where(CrawlRun.status == status)
    with Session(engine) as session:
        found = [_row(run, with_stats) for run in session.scalars(query)]
    engine.dispose()
    if as_json:
        for row in found:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not found:
        click.echo("no crawl runs recorded")
        return
    heads = ["id", "spider", "status", "started", "finished", *[h for h, _ in COLUMNS], "reason"]
    table = [heads]
    for row in found:
        counts = row["counts"]
        table.append(
            [
                str(row["id"]),
                row["spider"],
                row["status"],
                row["started_at"].replace("T", " "),
                (row["finished_at"] or "-").replace("T", " "),
                *[str(counts.get(key, "-")) for _, key in COLUMNS],
                row["finish_reason"] or "",
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(heads) - 1)]
    for r in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])
