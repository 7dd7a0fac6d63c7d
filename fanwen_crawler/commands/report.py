"""``fanwen report``: the corpus as one self-contained HTML page with charts."""

from __future__ import annotations

from pathlib import Path

import click

from fanwen_crawler.cli import db_option
from fanwen_crawler.db import resolve_url


@click.command()
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@db_option
def report(out: Path, db_url: str | None) -> None:
    """Write OUT.html: charts and tables about the corpus, for people who would rather look.

    Texts per site and category, the length distribution, the duplicate rate per site, crawl
    runs over time, the longest texts and fetch errors. One file, inline SVG, no scripts or
    links to fetch: it opens offline and can be mailed as it is.
    """
    from fanwen_crawler.db import open_database
    from fanwen_crawler.report import gather, render

    engine = open_database(resolve_url(db_url))
    try:
        page = render(gather(engine))
    finally:
        engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    click.echo(f"wrote {out} ({len(page.encode()):,} bytes)", err=True)
