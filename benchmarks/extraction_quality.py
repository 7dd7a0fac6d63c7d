"""Extraction quality on the labelled set (``data/labelled/``), ours against trafilatura.

Usage: ``python benchmarks/extraction_quality.py [--labelled DIR] [--by-layout] [--misses]``

For every labelled page it runs the crawl's own code path (extraction → variant split →
cleaning, with the per-site table of recurring lines learned from the site's pages first, as a
crawl does during its warm-up) and trafilatura (``bare_extraction``, title from its metadata;
as trafilatura does not split variants, its text lines go through our splitter, so it is
judged on extraction alone). Figures, each a share in [0, 1]:

* ``title``: the article title exactly as labelled;
* ``variants``: the number of variants exactly as labelled;
* ``variant_titles``: every variant title exactly as labelled, in order;
* ``boilerplate``: labelled boilerplate strings absent from the output texts;
* ``body``: labelled body characters present in the output texts (a paragraph counts when it
  occurs whole; width and whitespace folded).

The last line is JSON: ``{"pages", "title", "variants", "variant_titles", "boilerplate",
"body", "trafilatura": {same keys}}``. Needs the ``bench`` extra (trafilatura).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections import defaultdict
from pathlib import Path

from scrapy.http import HtmlResponse

from fanwen_crawler.article import build_article
from fanwen_crawler.clean import clean_article
from fanwen_crawler.extract import Block, Page, extract_page, fix_encoding
from fanwen_crawler.learned import LineTable, observe_item
from fanwen_crawler.textnorm import comparison_form, tidy
from fanwen_crawler.variants import split_variants

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled"
KEYS = ("title", "variants", "variant_titles", "boilerplate", "body")


def ours(pages: list[tuple[dict, bytes]]) -> list[dict]:
    """Our extraction of one site's pages: learn the site's recurring lines, then clean."""
    items = []
    table = LineTable()
    for label, body in pages:
        response, _ = fix_encoding(HtmlResponse(url=label["url"], body=body))
        item = build_article(extract_page(response.selector), url=label["url"], site=label["site"])
        observe_item(item, table)
        items.append(item)
    results = []
    for item in items:
        clean_article(item, table)
        results.append(
            {
                "title": item.title,
                "variant_titles": [v.title for v in item.variants],
                "texts": [v.text for v in item.variants],
            }
        )
    return results


def theirs(label: dict, body: bytes) -> dict:
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(
            body, url=label["url"], with_metadata=True, include_comments=False
        )
    title = (getattr(doc, "title", None) or "") if doc else ""
    text = (getattr(doc, "text", None) or "") if doc else ""
    lines = [tidy(line) for line in text.splitlines() if tidy(line)]
    page = Page(title=title, category="", blocks=[Block(line) for line in lines])
    _, parts = split_variants(page.paragraphs, title)
    return {
        "title": title,
        "variant_titles": [t for _, t, _ in parts],
        "texts": ["\n".join(ps) for _, _, ps in parts],
    }


def score(label: dict, result: dict) -> dict:
    output = comparison_form("\n".join(result["texts"]))
    bps = label["boilerplate"]
    body = [p for v in label["variants"] for p in v["paragraphs"]]
    body_total = sum(len(p) for p in body)
    missing_bp = [b for b in bps if comparison_form(b) in output]
    lost = [p for p in body if comparison_form(p) not in output]
    return {
        "title": float(result["title"] == label["title"]),
        "variants": float(len(result["variant_titles"]) == len(label["variants"])),
        "variant_titles": float(
            result["variant_titles"] == [v["title"] for v in label["variants"]]
        ),
        "boilerplate_kept": missing_bp,
        "boilerplate_n": len(bps),
        "body_lost": lost,
        "body_chars": body_total,
        "body_lost_chars": sum(len(p) for p in lost),
    }


def totals(scores: list[dict]) -> dict:
    n = len(scores)
    bp_n = sum(s["boilerplate_n"] for s in scores)
    bp_kept = sum(len(s["boilerplate_kept"]) for s in scores)
    chars = sum(s["body_chars"] for s in scores)
    lost = sum(s["body_lost_chars"] for s in scores)
    return {
        "pages": n,
        "title": round(sum(s["title"] for s in scores) / n, 4),
        "variants": round(sum(s["variants"] for s in scores) / n, 4),
        "variant_titles": round(sum(s["variant_titles"] for s in scores) / n, 4),
        "boilerplate": round(1 - bp_kept / bp_n, 4) if bp_n else 1.0,
        "body": round(1 - lost / chars, 4) if chars else 1.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--by-layout", action="store_true", help="Figures per layout too.")
    parser.add_argument("--misses", action="store_true", help="Print what each page got wrong.")
    args = parser.parse_args(argv)
    labels = json.loads((args.labelled / "labels.json").read_text(encoding="utf-8"))
    by_site: dict[str, list[tuple[dict, bytes]]] = defaultdict(list)
    for label in labels:
        by_site[label["site"]].append((label, (args.labelled / label["file"]).read_bytes()))

    mine, other, layouts = [], [], defaultdict(lambda: ([], []))
    for pages in by_site.values():
        for (label, body), result in zip(pages, ours(pages), strict=True):
            ms, ts = score(label, result), score(label, theirs(label, body))
            mine.append(ms)
            other.append(ts)
            layouts[label["layout"]][0].append(ms)
            layouts[label["layout"]][1].append(ts)
            if args.misses and (
                ms["boilerplate_kept"]
                or ms["body_lost"]
                or ms["title"] < 1
                or ms["variants"] < 1
                or ms["variant_titles"] < 1
            ):
                print(f"--- {label['file']} ({label['variant_style']})")
                if ms["title"] < 1:
                    print(f"  title: {result['title']!r} != {label['title']!r}")
                if ms["variant_titles"] < 1:
                    print(f"  variants: {result['variant_titles']}")
                    print(f"      want: {[v['title'] for v in label['variants']]}")
                for b in ms["boilerplate_kept"]:
                    print(f"  kept boilerplate: {b}")
                for p in ms["body_lost"]:
                    print(f"  lost body: {p[:60]}")

    ours_total, theirs_total = totals(mine), totals(other)
    print(f"labelled pages: {ours_total['pages']} in {len(layouts)} layouts, {len(by_site)} sites")
    print(f"{'figure':<16}{'fanwen':>10}{'trafilatura':>14}")
    for key in KEYS:
        print(f"{key:<16}{ours_total[key]:>10.2%}{theirs_total[key]:>14.2%}")
    if args.by_layout:
        for layout, (ms, ts) in sorted(layouts.items()):
            a, b = totals(ms), totals(ts)
            cells = "  ".join(f"{k}={a[k]:.2f}/{b[k]:.2f}" for k in KEYS)
            print(f"  {layout:<14}{cells}")
    print(json.dumps({**ours_total, "trafilatura": theirs_total}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
