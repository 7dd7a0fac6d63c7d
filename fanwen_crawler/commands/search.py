"""``fanwen search``: ranked full-text hits over the corpus, with highlighted snippets."""

from __future__ import annotations

import json

import click

from fanwen_crawler.cli import db_option
from fanwen_crawler.db import resolve_url


@click.command()
@click.argument("query")
@db_option
@click.option("--site", help="Only texts of this site (exact name, as in `fanwen stats`).")
@click.option("--category", help="Only texts whose category path contains this (演讲致辞).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--width",
    default=80,
    show_default=True,
    type=click.IntRange(10, 2_000),
    help="Characters of context per snippet.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit (JSON Lines).")
def search(
    query: str,
    db_url: str | None,
    site: str | None,
    category: str | None,
    limit: int,
    width: int,
    as_json: bool,
) -> None:
    """Full-text search of the corpus for QUERY; prints ranked hits with snippets.

    Chinese works without word segmentation: each whitespace-separated term is matched as a
    substring and all terms must occur (`禁毒 誓师`). Terms of three or more characters use
    the trigram index (SQLite FTS5, PostgreSQL pg_trgm); shorter ones such as `禁毒` work
    too, by a scan of the indexed texts. Matches are marked 【like this】 (in colour on a
    terminal). Copies are not searched: every hit is a distinct text of the `corpus` view.
    """
    from fanwen_crawler.db import open_database
    from fanwen_crawler.fts import search as run_search

    engine = open_database(resolve_url(db_url))
    colour = not as_json and click.get_text_stream("stdout").isatty()
    marks = ("\x00", "\x01") if colour else ("【", "】")
    try:
        hits = run_search(
            engine, query, site=site, category=category, limit=limit, width=width, marks=marks
        )
    finally:
        engine.dispose()
    if as_json:
        for hit in hits:
            click.echo(json.dumps(hit.as_dict(), ensure_ascii=False))
        return
    if not hits:
        click.echo(f"no text matches {query!r}", err=True)
        return
    for rank, hit in enumerate(hits, 1):
        snippet = hit.snippet
        if colour:
            snippet = snippet.replace("\x00", "\x1b[1;31m").replace("\x01", "\x1b[0m")
        click.echo(
            click.style(f"{rank}. {hit.variant_title}", bold=True)
            + f"  [{hit.site}] {hit.category} · #{hit.id} · {hit.char_count} 字"
        )
        click.echo(f"   {hit.url}")
        click.echo(f"   {snippet}")
