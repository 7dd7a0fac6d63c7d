"""``fanwen report``: one self-contained HTML page about the corpus, charts included.

Charts are inline SVG drawn here (a few bars need no plotting library, and the page must open
offline: no script, stylesheet or font from anywhere). Every value is escaped. Queries are
aggregates that run the same on SQLite and PostgreSQL; memory does not grow with the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from fanwen_crawler.db import redact
from fanwen_crawler.models import CrawlRun
from fanwen_crawler.queries import QUERIES

LENGTH_BUCKETS = [(0, 200), (200, 500), (500, 1000), (1000, 2000), (2000, 5000), (5000, None)]
STATUS_COLOURS = {"finished": "#2a9d8f", "running": "#e9c46a", "interrupted": "#f4a261"}
BAR = "#457b9d"


@dataclass
class ReportData:
    database: str
    generated_at: str
    totals: dict[str, int]
    per_site_category: list[tuple[str, str, int, int]]
    lengths: list[tuple[str, int]]
    duplicates: list[tuple[str, int, int, float]]
    runs: list[dict[str, Any]]
    longest: list[tuple[int, str, str, int]]
    errors: list[tuple[str, int]] = field(default_factory=list)


def _query(name: str) -> str:
    return next(q.sql for q in QUERIES if q.name == name)


def gather(engine: Engine, runs_limit: int = 200) -> ReportData:
    cases = " ".join(
        f"WHEN char_count >= {lo}" + (f" AND char_count < {hi}" if hi else "") + f" THEN {i}"
        for i, (lo, hi) in enumerate(LENGTH_BUCKETS)
    )
    with engine.connect() as c:
        scalar = lambda sql: int(c.execute(text(sql)).scalar() or 0)  # noqa: E731
        totals = {
            "texts": scalar("SELECT count(*) FROM corpus"),
            "variants": scalar("SELECT count(*) FROM variants"),
            "copies": scalar("SELECT count(*) FROM variants WHERE duplicate_of IS NOT NULL"),
            "articles": scalar("SELECT count(*) FROM articles"),
            "sites": scalar("SELECT count(*) FROM sites"),
            "characters": scalar("SELECT coalesce(sum(char_count), 0) FROM corpus"),
            "fetch errors": scalar("SELECT count(*) FROM fetch_errors"),
            "crawl runs": scalar("SELECT count(*) FROM crawl_runs"),
        }
        per_site_category = [
            (r.site, r.category, int(r.texts), int(r.chars or 0))
            for r in c.execute(text(_query("texts_per_site_and_category")))
        ]
        counts = dict(
            c.execute(
                text(
                    f"SELECT CASE {cases} END AS bucket, count(*) FROM corpus "
                    "GROUP BY CASE " + cases + " END"
                )
            ).all()
        )
        lengths = [
            (f"{lo}–{hi - 1}" if hi else f"≥ {lo}", int(counts.get(i, 0)))
            for i, (lo, hi) in enumerate(LENGTH_BUCKETS)
        ]
        duplicates = [
            (r.site, int(r.variants), int(r.copies or 0), float(r.copy_percent or 0))
            for r in c.execute(text(_query("duplicate_rate_per_site")))
        ]
        longest = [
            (r.id, r.site, r.variant_title, int(r.char_count))
            for r in c.execute(text(_query("longest_texts") + " "))
        ][:10]
        errors = [
            (r[0], int(r[1]))
            for r in c.execute(
                text("SELECT kind, count(*) FROM fetch_errors GROUP BY kind ORDER BY 2 DESC")
            )
        ]
    with Session(engine) as session:
        rows = session.scalars(
            select(CrawlRun).order_by(CrawlRun.started_at.desc()).limit(runs_limit)
        ).all()
        runs = [
            {
                "id": r.id,
                "spider": r.spider,
                "started_at": r.started_at,
                "finished_at": r.finished_at,
                "status": r.status,
                "stored": int((r.counts or {}).get("variants", 0) or 0),
            }
            for r in reversed(rows)
        ]
    return ReportData(
        database=redact(engine.url.render_as_string(hide_password=False)),
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        totals=totals,
        per_site_category=per_site_category,
        lengths=lengths,
        duplicates=duplicates,
        runs=runs,
        longest=longest,
        errors=errors,
    )


def hbar_chart(rows: list[tuple[str, float]], unit: str = "", colour: str = BAR) -> str:
    """Horizontal bars, one per (label, value)."""
    if not rows:
        return '<p class="empty">nothing yet</p>'
    top = max(v for _, v in rows) or 1
    row_h, label_w, bar_w = 24, 220, 380
    height = row_h * len(rows) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {label_w + bar_w + 90} {height}" '
        f'width="{label_w + bar_w + 90}" height="{height}" role="img">'
    ]
    for i, (label, value) in enumerate(rows):
        y = i * row_h + 4
        w = max(1.0, bar_w * value / top) if value else 0
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(str(label))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{colour}"><title>{escape(str(label))}: {value:g}{unit}</title></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{value:g}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def runs_chart(runs: list[dict[str, Any]]) -> str:
    """Crawl runs in time order: one column per run, its height the texts it stored."""
    if not runs:
        return '<p class="empty">no crawl runs recorded</p>'
    top = max(r["stored"] for r in runs) or 1
    col, plot_h, pad = max(6, min(40, 640 // len(runs))), 160, 30
    width = col * len(runs) + 2 * pad
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {plot_h + 50}" width="{width}" '
        f'height="{plot_h + 50}" role="img">',
        f'<line x1="{pad}" y1="{plot_h + 10}" x2="{width - pad}" y2="{plot_h + 10}" '
        'stroke="#999"/>',
    ]
    step = -(-80 // col)  # a date label every 80 px or so
    for i, run in enumerate(runs):
        h = max(2.0, plot_h * run["stored"] / top)
        x = pad + i * col
        colour = STATUS_COLOURS.get(run["status"], "#e63946")
        started = run["started_at"].strftime("%Y-%m-%d %H:%M") if run["started_at"] else ""
        parts.append(
            f'<rect x="{x + 1}" y="{plot_h + 10 - h:.1f}" width="{col - 2}" height="{h:.1f}" '
            f'fill="{colour}"><title>run {run["id"]} · {escape(run["spider"])} · '
            f"{escape(started)} · {escape(run['status'])} · {run['stored']} texts stored"
            "</title></rect>"
        )
        if i % step == 0:
            parts.append(
                f'<text x="{x}" y="{plot_h + 28}" class="small">{escape(started[:10])}</text>'
            )
    parts.append("</svg>")
    legend = " ".join(
        f'<span class="key" style="background:{c}"></span>{escape(s)}'
        for s, c in [*STATUS_COLOURS.items(), ("failed", "#e63946")]
    )
    return "".join(parts) + f'<p class="legend">{legend}</p>'


def table(headers: list[str], rows: list[tuple], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i in numeric else ''}>{escape(_fmt(v))}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}
.meta{color:#666}.cards{display:flex;flex-wrap:wrap;gap:.8rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:7rem}
.card b{display:block;font-size:1.5rem}
table{border-collapse:collapse;margin:.6rem 0}
th,td{padding:.25rem .7rem;border-bottom:1px solid #eee;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.chart text{font-size:13px;fill:#333}.chart .small{font-size:10px}
.key{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 .8rem;vertical-align:middle}
.empty{color:#999}
"""


def render(data: ReportData) -> str:
    t = data.totals
    cards = "".join(f'<div class="card"><b>{_fmt(v)}</b>{escape(k)}</div>' for k, v in t.items())
    per_site: dict[str, int] = {}
    for site, _, texts, _ in data.per_site_category:
        per_site[site] = per_site.get(site, 0) + texts
    categories = sorted(data.per_site_category, key=lambda r: -r[2])
    dup_rate = 100 * t["copies"] / t["variants"] if t["variants"] else 0
    sections = [
        "<h2>Texts per site</h2>",
        hbar_chart(sorted(per_site.items(), key=lambda kv: -kv[1])),
        "<h2>Texts per site and category</h2>",
        hbar_chart([(f"{s} · {c}", n) for s, c, n, _ in categories[:25]]),
        table(["site", "category", "texts", "characters"], categories, {2, 3}),
        "<h2>Length distribution</h2><p>Characters per distinct text.</p>",
        hbar_chart(data.lengths),
        "<h2>Duplicate rate per site</h2>",
        f"<p>{dup_rate:.1f}% of all stored variants are copies of a text seen first "
        "(on the same or another site); the corpus keeps one of each.</p>",
        hbar_chart([(s, p) for s, _, _, p in data.duplicates], unit="%", colour="#e76f51"),
        table(["site", "variants", "copies", "copy %"], data.duplicates, {1, 2, 3}),
        "<h2>Crawl runs over time</h2>",
        runs_chart(data.runs),
        table(
            ["run", "spider", "started", "finished", "status", "texts stored"],
            [tuple(r.values()) for r in data.runs[-20:][::-1]],
            {5},
        ),
        "<h2>The longest texts</h2>",
        table(["id", "site", "title", "characters"], data.longest, {3}),
        "<h2>Fetch errors</h2>",
        table(["kind", "pages"], data.errors, {1}) if data.errors else '<p class="empty">none</p>',
    ]
    return (
        '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>fanwen corpus report</title><style>{STYLE}</style></head><body>"
        "<h1>fanwen corpus report</h1>"
        f'<p class="meta">{escape(data.database)} · generated {escape(data.generated_at)}</p>'
        f'<div class="cards">{cards}</div>' + "".join(sections) + "</body></html>\n"
    )
