"""``fanwen schema``: print or write docs/schema.md, generated from the models."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (docs/schema.md) instead of printing.",
)
@click.option(
    "--check", is_flag=True, help="Exit 1 if --output differs from a fresh generation (for CI)."
)
def schema(output: Path | None, check: bool) -> None:
    """Describe the corpus schema in Markdown: the `corpus` view, example SQL, every table.

    Generated from the models, the migrations and the example queries; docs/schema.md is
    this command's output (`fanwen schema -o docs/schema.md` after a schema change).
    """
    from fanwen_crawler.schema_doc import generate

    page = generate()
    if output is None:
        click.echo(page, nl=False)
    elif check:
        if not output.exists() or output.read_text(encoding="utf-8") != page:
            raise click.ClickException(f"{output} is stale: run `fanwen schema -o {output}`")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
