"""Corpus counts for `fanwen stats` and the end of `fanwen demo`."""

from __future__ import annotations

from sqlalchemy import Engine, func, select, text

from fanwen_crawler.models import Article, CrawlRun, FetchError, Site, Variant


def corpus_summary(engine: Engine) -> dict:
    with engine.connect() as c:
        errors = dict(
            c.execute(select(FetchError.kind, func.count()).group_by(FetchError.kind)).all()
        )
        per_site = c.execute(
            text(
                "SELECT site, count(*) AS texts, sum(char_count) AS chars "
                "FROM corpus GROUP BY site ORDER BY site"
            )
        ).all()
        return {
            "sites": c.scalar(select(func.count()).select_from(Site)),
            "articles": c.scalar(select(func.count()).select_from(Article)),
            "variants": c.scalar(select(func.count()).select_from(Variant)),
            "distinct_texts": c.scalar(text("SELECT count(*) FROM corpus")),
            "duplicates": c.scalar(
                select(func.count()).select_from(Variant).where(Variant.duplicate_of.is_not(None))
            ),
            "errors": sum(errors.values()),
            "errors_by_kind": errors,
            "runs": c.scalar(select(func.count()).select_from(CrawlRun)),
            "per_site": {site: {"texts": n, "chars": chars} for site, n, chars in per_site},
        }


def format_summary(summary: dict) -> str:
    lines = [
        f"articles        {summary['articles']}",
        f"variants        {summary['variants']}",
        f"distinct texts  {summary['distinct_texts']}  (rows of the corpus view)",
        f"duplicates      {summary['duplicates']}",
        f"errors          {summary['errors']}"
        + (
            "  ("
            + ", ".join(f"{k}: {v}" for k, v in sorted(summary["errors_by_kind"].items()))
            + ")"
            if summary["errors_by_kind"]
            else ""
        ),
        f"sites           {summary['sites']}",
    ]
    for site, row in summary["per_site"].items():
        lines.append(f"  {site:<14}{row['texts']} texts, {row['chars']} characters")
    return "\n".join(lines)
