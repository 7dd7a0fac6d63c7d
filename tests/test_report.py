"""`fanwen report`: one self-contained HTML page with charts and tables."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from corpus_samples import build_corpus, fresh_postgres_schema

from fanwen_crawler.db import open_database
from fanwen_crawler.report import gather, hbar_chart, render

from conftest import run_fanwen


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parsed(page: str) -> Collect:
    collector = Collect()
    collector.feed(page)
    return collector


@pytest.fixture
def corpus(engine):
    build_corpus(engine)
    return engine


def test_report_counts_what_the_corpus_holds(corpus):
    data = gather(corpus)
    assert data.totals["texts"] == 5 and data.totals["copies"] == 1
    assert data.totals["crawl runs"] == 2 and data.totals["fetch errors"] == 1
    assert dict((s, p) for s, _, _, p in data.duplicates) == {
        "wenmi": 50.0,
        "nuenian": 0.0,
        "fanwenku": 0.0,
    }
    assert dict(data.lengths)["0–199"] == 4 and dict(data.lengths)["500–999"] == 1
    assert [r["stored"] for r in data.runs] == [3, 3]


def test_report_page_has_every_chart_and_needs_nothing_from_outside(corpus):
    page = render(gather(corpus))
    tags = parsed(page).tags
    assert sum(1 for tag, _ in tags if tag == "svg") == 5  # site, category, length, dup, runs
    for heading in [
        "Texts per site and category",
        "Length distribution",
        "Duplicate rate per site",
        "Crawl runs over time",
    ]:
        assert f"<h2>{heading}</h2>" in page
    # Self-contained: no script, stylesheet, image, font or frame to fetch.
    assert not [t for t, a in tags if t in ("script", "link", "img", "iframe", "object")]
    assert not [a for _, a in tags if any(k in a for k in ("src", "href"))]
    assert not re.search(r"url\(|@import", page)
    assert "禁毒誓师大会上讲话1" in page and "wenmi" in page


def test_report_escapes_what_it_shows():
    svg = hbar_chart([("<script>alert(1)</script>", 3)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_an_empty_corpus_still_makes_a_page(engine):
    page = render(gather(engine))
    assert "nothing yet" in page and "no crawl runs recorded" in page


def test_fanwen_report_writes_one_file(corpus, sqlite_url, tmp_path):
    out = tmp_path / "report.html"
    result = run_fanwen("report", str(out), "--db", sqlite_url)
    assert "wrote" in result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.postgres
def test_report_on_postgresql(postgres_url):
    with fresh_postgres_schema(postgres_url) as url:
        engine = open_database(url)
        try:
            build_corpus(engine)
            data = gather(engine)
            page = render(data)
        finally:
            engine.dispose()
    assert data.totals["texts"] == 5 and "Crawl runs over time" in page
