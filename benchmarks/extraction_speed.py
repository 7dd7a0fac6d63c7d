"""Extraction speed: our extraction and cleaning against trafilatura's, on the same pages.

Usage: ``python benchmarks/extraction_speed.py [--pages 300] [--repeat 3]``

The pages are the scaled replica's (``benchmarks/scaled_site.py``: ~30 KB article pages of
the three layouts, built in memory into a temporary directory). Per page, in this one process:

* ours: the crawl's path, bytes → ``HtmlResponse`` → charset check → ``extract_page`` with
  the site's profile → variant split (``build_article``) → ``clean_article``; and the same
  without a profile (the generic text-density path, for sites we have no profile for);
* trafilatura: ``trafilatura.extract`` on the same bytes, main text only (no comments, no
  tables), as most callers use it (``trafilatura_pages_per_s``, the figure the speedup is
  taken against), and with ``fast=True`` (no fallback extractors: its fastest setting,
  ``trafilatura_fast_pages_per_s``, with ``speedup_vs_fast``).

``--repeat`` rounds, each one pass of every side in turn; each side's best pass counts (the
machine is shared: interleaving makes a burst of load slow one round of both sides), and the
speedup of each round is printed too. Last line: JSON with ``ours_pages_per_s``,
``trafilatura_pages_per_s``, ``speedup`` (and ``ours_generic_pages_per_s``,
``speedup_per_round``). Needs the ``bench`` extra (trafilatura).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from scaled_site import build_site
from scrapy.http import HtmlResponse

from fanwen_crawler.article import build_article
from fanwen_crawler.clean import clean_article
from fanwen_crawler.extract import Profile, extract_page, fix_encoding

PROFILES = {
    "nuenian": Profile(
        site="nuenian", title="div.article h1", breadcrumb="div.position", body="div.content"
    ),
    "wenmi": Profile(site="wenmi", title="div.title h1", breadcrumb="div.crumbs", body="#article"),
    "fanwenku": Profile(
        site="fanwenku", title="h1.art-title", breadcrumb="div.breadcrumb", body="div.art-body"
    ),
}


def load_pages(count: int) -> list[tuple[str, str, bytes]]:
    """(site, url, bytes) of ``count`` article pages of a freshly built scaled site."""
    with tempfile.TemporaryDirectory(prefix="fanwen-speed-") as tmp:
        root = Path(tmp)
        build_site(root, count)
        pages = []
        for path in sorted(root.rglob("*.html")):
            rel = path.relative_to(root).as_posix()
            if "index" in path.name or "list_" in path.name:
                continue
            pages.append((rel.split("/")[0], f"http://127.0.0.1:8800/{rel}", path.read_bytes()))
    return pages


def ours(site: str, url: str, body: bytes, profile: Profile | None) -> int:
    response, _ = fix_encoding(HtmlResponse(url=url, body=body))
    page = extract_page(response.selector, profile)
    item = clean_article(build_article(page, url=url, site=site, body=body))
    return sum(len(v.text) for v in item.variants)


def theirs(site: str, url: str, body: bytes, fast: bool = False) -> int:
    import trafilatura

    text = trafilatura.extract(
        body, url=url, include_comments=False, include_tables=False, fast=fast
    )
    return len(text or "")


def pass_rate(pages: list, run: Callable[[str, str, bytes], int]) -> float:
    """Pages per second of one pass over all pages."""
    start = time.perf_counter()
    for site, url, body in pages:
        run(site, url, body)
    return len(pages) / (time.perf_counter() - start)


def interleaved_rates(pages: list, sides: dict[str, Callable], repeat: int) -> dict[str, list]:
    """``repeat`` rounds, each one pass of every side in turn: a burst of load on this shared
    machine then slows a round of both sides, not every pass of one (run side by side, the
    speedup swung 6.3–12.6× between runs)."""
    rates: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(repeat):
        for name, run in sides.items():
            rates[name].append(pass_rate(pages, run))
    return rates


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="article pages (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="passes per side; best counts")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    pages = load_pages(args.pages)
    kb = sum(len(b) for _, _, b in pages) / len(pages) / 1024
    print(f"{len(pages)} pages (incl. continuation pages), {kb:.1f} KB mean")
    theirs(*pages[0])  # import and warm up trafilatura outside the timing
    passes = interleaved_rates(
        pages,
        {
            "ours": lambda s, u, b: ours(s, u, b, PROFILES[s]),
            "ours_generic": lambda s, u, b: ours(s, u, b, None),
            "trafilatura": theirs,
            "trafilatura_fast": lambda s, u, b: theirs(s, u, b, True),
        },
        args.repeat,
    )
    rates = {name: max(values) for name, values in passes.items()}  # each side's best pass
    for name, rate in rates.items():
        print(f"{name:13} {rate:8.1f} pages/s  ({1000 / rate:.2f} ms/page)")
    speedup = rates["ours"] / rates["trafilatura"]
    speedup_fast = rates["ours"] / rates["trafilatura_fast"]
    per_round = [o / t for o, t in zip(passes["ours"], passes["trafilatura"], strict=True)]
    print(
        f"speedup over trafilatura: {speedup:.1f}x (target 10x);"
        f" over fast=True: {speedup_fast:.1f}x;"
        f" round by round: {', '.join(f'{r:.1f}x' for r in per_round)}"
    )
    print(
        json.dumps(
            {
                "pages": len(pages),
                "ours_pages_per_s": round(rates["ours"], 1),
                "ours_generic_pages_per_s": round(rates["ours_generic"], 1),
                "trafilatura_pages_per_s": round(rates["trafilatura"], 1),
                "trafilatura_fast_pages_per_s": round(rates["trafilatura_fast"], 1),
                "speedup": round(speedup, 2),
                "speedup_vs_fast": round(speedup_fast, 2),
                "speedup_per_round": [round(r, 2) for r in per_round],
            }
        )
    )


if __name__ == "__main__":
    main()
