"""``fanwen dups``: clusters of copied texts — how many copies, on which sites, where."""

from __future__ import annotations

import json

import click
from sqlalchemy import Engine, text

from fanwen_crawler.cli import db_option
from fanwen_crawler.db import open_database, resolve_url

CLUSTERS = """
SELECT c.id AS id, count(*) + 1 AS size
FROM variants d JOIN variants c ON c.id = d.duplicate_of
GROUP BY c.id
ORDER BY count(*) DESC, c.id
LIMIT :limit
"""
MEMBERS = """
SELECT v.id AS id, v.duplicate_of AS duplicate_of, v.similarity AS similarity,
       v.title AS title, a.url AS url, s.name AS site
FROM variants v JOIN articles a ON a.id = v.article_id JOIN sites s ON s.id = a.site_id
WHERE v.id = :id OR v.duplicate_of = :id
ORDER BY v.id
"""
TOTALS = """
SELECT count(DISTINCT duplicate_of) AS clusters, count(*) AS copies,
       sum(CASE WHEN similarity >= 1.0 THEN 1 ELSE 0 END) AS exact
FROM variants WHERE duplicate_of IS NOT NULL
"""


def clusters(engine: Engine, limit: int, examples: int) -> dict:
    """The largest clusters first: canonical (first seen), size, sites, example copies."""
    with engine.connect() as c:
        totals = c.execute(text(TOTALS)).one()
        out = []
        for cluster in c.execute(text(CLUSTERS), {"limit": limit}).all():
            members = c.execute(text(MEMBERS), {"id": cluster.id}).all()
            canonical = next(m for m in members if m.id == cluster.id)
            copies = [m for m in members if m.id != cluster.id]
            out.append(
                {
                    "canonical": {
                        "id": canonical.id,
                        "title": canonical.title,
                        "url": canonical.url,
                        "site": canonical.site,
                    },
                    "size": cluster.size,
                    "sites": sorted({m.site for m in members}),
                    "min_similarity": min(m.similarity or 0.0 for m in copies),
                    "copies": [
                        {"id": m.id, "url": m.url, "site": m.site, "similarity": m.similarity}
                        for m in copies[:examples]
                    ],
                }
            )
    return {
        "clusters": totals.clusters or 0,
        "copies": totals.copies or 0,
        "exact_copies": int(totals.exact or 0),
        "largest": out,
    }


@click.command()
@db_option
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1), help="Clusters to list."
)
@click.option(
    "--examples",
    default=3,
    show_default=True,
    type=click.IntRange(0),
    help="Example copies shown per cluster.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead.")
@click.option(
    "--reindex",
    is_flag=True,
    help="Rebuild the near-duplicate band index from the canonical texts first (needed "
    "after the MinHash layout changed; clusters already stored are kept).",
)
def dups(db_url: str | None, limit: int, examples: int, as_json: bool, reindex: bool) -> None:
    """List clusters of copied texts, largest first.

    A cluster is one canonical text (the first seen, the one the `corpus` view shows) and
    its copies: exact copies (same text once width, spacing, traditional characters and
    placeholders are folded) and near copies (MinHash similarity of 3-character shingles at
    or over FANWEN_NEAR_DUP_THRESHOLD, default 0.5). For each: its size, the sites it is on,
    the canonical's URL and example copies with their similarity to it.
    """
    engine = open_database(resolve_url(db_url))
    if reindex:
        from sqlalchemy.orm import Session

        from fanwen_crawler.neardup import rebuild

        with Session(engine) as session, session.begin():
            indexed = rebuild(session)
        click.echo(f"band index rebuilt for {indexed} canonical texts", err=True)
    result = clusters(engine, limit, examples)
    engine.dispose()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(
        f"{result['clusters']} clusters, {result['copies']} copies "
        f"({result['exact_copies']} exact, {result['copies'] - result['exact_copies']} near)"
    )
    for cluster in result["largest"]:
        canonical = cluster["canonical"]
        click.echo(
            f"\n[{cluster['size']} texts, {len(cluster['sites'])} sites: "
            f"{', '.join(cluster['sites'])}]  {canonical['title']}"
        )
        click.echo(f"  canonical  {canonical['url']}")
        for copy in cluster["copies"]:
            click.echo(f"  {copy['similarity']:.2f}       {copy['url']}")
        hidden = cluster["size"] - 1 - len(cluster["copies"])
        if hidden > 0:
            click.echo(f"  … and {hidden} more")
