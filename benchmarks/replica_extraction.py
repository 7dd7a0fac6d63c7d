"""Generic extraction (no site profile) on the replica site's articles: layouts we did not write.

Usage: ``python benchmarks/replica_extraction.py``. Each manifest article is extracted from its
saved page(s) with the crawl's functions but without the site's profile (continuation pages'
bodies appended, as the spider merges them), then compared with the manifest: variant count,
variant titles, first and last paragraph of each variant, boilerplate strings absent. The
last line is JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.http import HtmlResponse

from fanwen_crawler.article import build_article
from fanwen_crawler.clean import clean_article
from fanwen_crawler.extract import extract_page, fix_encoding
from fanwen_crawler.textnorm import comparison_form

REPLICA = Path(__file__).resolve().parents[1] / "data" / "replica"


def extract(paths: list[str]):
    pages = []
    for path in paths:
        response = HtmlResponse(url="http://replica" + path, body=(REPLICA / path[1:]).read_bytes())
        pages.append(extract_page(fix_encoding(response)[0].selector))
    for extra in pages[1:]:
        pages[0].blocks.extend(extra.blocks)
    return clean_article(build_article(pages[0], url="http://replica" + paths[0], site="replica"))


def main() -> None:
    manifest = json.loads((REPLICA / "manifest.json").read_text(encoding="utf-8"))
    n = counts = titles = variants = first = last = bp_total = bp_kept = 0
    for article in manifest["articles"]:
        item = extract([article["path"], *article.get("continuation_paths", [])])
        want = [v["title"] for v in article["variants"]]
        got = [v.title for v in item.variants]
        n += 1
        counts += len(want) == len(got)
        titles += want == got
        output = comparison_form("\n".join(v.text for v in item.variants))
        bp_total += len(article.get("boilerplate", []))
        bp_kept += sum(comparison_form(b) in output for b in article.get("boilerplate", []))
        for w, g in zip(article["variants"], item.variants, strict=False):
            lines = g.text.split("\n")
            variants += 1
            first += lines[0] == w["first"]
            last += lines[-1] == w["last"]
    figures = {
        "pages": n,
        "variants": round(counts / n, 4),
        "variant_titles": round(titles / n, 4),
        "first": round(first / variants, 4),
        "last": round(last / variants, 4),
        "boilerplate": round(1 - bp_kept / bp_total, 4) if bp_total else 1.0,
    }
    for key, value in figures.items():
        print(f"{key:<16}{value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
