"""``fanwen export``: the corpus view to JSON Lines, CSV or Parquet, streamed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fanwen_crawler.cli import db_option
from fanwen_crawler.db import redact, resolve_url


@click.command()
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    help="Output format (default: from OUT's suffix, else jsonl).",
)
@click.option(
    "--where",
    metavar="SQL",
    help="Filter: an SQL expression over the corpus view's columns, e.g. "
    "\"site = 'wenmi' AND char_count > 500\". Read-only; no ';' or comments.",
)
@click.option(
    "--batch-size",
    default=5000,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Rows per fetch (and per Parquet row group).",
)
@db_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def export(
    out: Path, fmt: str | None, where: str | None, batch_size: int, db_url: str | None, quiet: bool
) -> None:
    """Export the corpus view to OUT as JSON Lines, CSV or Parquet.

    Fields are the `corpus` view's columns (id, url, site, category, article_title,
    variant_index, variant_title, text, char_count, fetched_at, …), one row per distinct
    text, ordered by id. Rows stream from a server-side cursor in batches, so memory stays
    flat; a progress bar goes to stderr. CSV is UTF-8 with a header row; Parquet (zstd, one
    row group per batch) reads in pandas, DuckDB and Spark.

    --where is a filter, not a query: it runs as SELECT * FROM corpus WHERE (<SQL>) on a
    read-only connection, so it can read but never change the database.
    """
    from fanwen_crawler.db import open_database
    from fanwen_crawler.export import UnsafeFilter, check_where, count_rows
    from fanwen_crawler.export import export as run_export

    if fmt is None:
        suffix = out.suffix.lower().lstrip(".")
        fmt = {"csv": "csv", "parquet": "parquet", "pq": "parquet"}.get(suffix, "jsonl")
    try:
        check_where(where)
    except UnsafeFilter as error:
        raise click.BadParameter(str(error), param_hint="--where") from error
    url = resolve_url(db_url)
    engine = open_database(url)
    try:
        try:
            total = count_rows(engine, where)
        except Exception as error:  # a mistyped filter: say what the database said
            raise click.BadParameter(
                f"{type(error).__name__}: {getattr(error, 'orig', error)}", param_hint="--where"
            ) from error
        click.echo(f"exporting {total} texts from {redact(url)} to {out} ({fmt})", err=True)
        with click.progressbar(length=total, label="texts", file=sys.stderr, hidden=quiet) as bar:
            written = run_export(engine, fmt, out, where, batch_size, progress=bar.update)
    finally:
        engine.dispose()
    click.echo(f"wrote {written} texts to {out}", err=True)
