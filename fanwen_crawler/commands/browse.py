"""``fanwen browse``: the corpus in Datasette, search configured, canned queries ready."""

from __future__ import annotations

import json
import signal
import sys
import tempfile
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from fanwen_crawler.cli import db_option
from fanwen_crawler.db import resolve_url
from fanwen_crawler.queries import datasette_metadata


@click.command()
@db_option
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--open/--no-open",
    "open_browser",
    default=True,
    show_default=True,
    help="Open the corpus in your web browser.",
)
@click.option(
    "--metadata",
    "print_metadata",
    is_flag=True,
    help="Print the Datasette metadata (search, canned queries) and exit.",
)
def browse(db_url: str | None, port: int, open_browser: bool, print_metadata: bool) -> None:
    """Browse and search the corpus in Datasette, on 127.0.0.1 only.

    The `corpus` view has facets by site and category; canned queries answer the common
    questions: search (the trigram index: three or more characters, the first mention
    marked), texts that mention a term (any length, such as 禁毒), texts per site and
    category, the longest texts, every copy of a text, duplicate rate per site, crawl runs.
    Datasette reads SQLite files only; Ctrl-C stops it.
    """
    url = make_url(resolve_url(db_url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.UsageError(
            "Datasette reads SQLite files; for PostgreSQL use psql, or `fanwen export` and DuckDB"
        )
    path = Path(url.database)
    metadata = datasette_metadata(path.stem)
    if print_metadata:
        click.echo(json.dumps(metadata, ensure_ascii=False, indent=2))
        return
    try:
        from datasette.cli import cli as datasette_cli
    except ImportError as error:
        raise click.ClickException(
            "fanwen browse needs Datasette: pip install 'fanwen-crawler[browse]'"
        ) from error
    if not path.exists():
        raise click.ClickException(f"no corpus at {path}: run `fanwen demo` or a crawl first")

    from fanwen_crawler.db import open_database

    open_database(str(url)).dispose()  # bring the schema (search index included) to head
    # SIGTERM ends the server like Ctrl-C, so the temporary metadata file goes too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory(prefix="fanwen-browse-") as tmp:
        metadata_file = Path(tmp) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
        args = [
            "serve", str(path),
            "--host", "127.0.0.1",
            "--port", str(port),
            "--metadata", str(metadata_file),
            "--setting", "sql_time_limit_ms", "5000",
        ]  # fmt: skip
        if open_browser:
            args.append("--open")
        click.echo(f"Datasette on http://127.0.0.1:{port}/{path.stem}/corpus", err=True)
        datasette_cli.main(args=args, prog_name="datasette", standalone_mode=False)
