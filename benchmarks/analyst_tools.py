"""Export memory and search speed on a synthetic corpus; prints figures, then one JSON line.

    python benchmarks/analyst_tools.py [--texts 20000 80000]

Each export runs in a child process; its peak RSS shows whether memory grows with the corpus
(it should not: rows stream in batches). Search times are the median of five runs.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from fanwen_crawler.db import open_database
from fanwen_crawler.fts import search

WORDS = (
    "同志们 今天 我们 召开 禁毒 誓师 大会 动员 全校 师生 行动 安全 校园 学习 工作 总结 计划 责任"
).split()


def build(url: str, texts: int) -> None:
    rng = random.Random(7)
    engine = open_database(url)
    with engine.begin() as c:
        c.execute(text("INSERT INTO sites (name) VALUES ('bench')"))
        for start in range(0, texts, 1000):
            n = min(1000, texts - start)
            c.execute(
                text(
                    "INSERT INTO articles (url, site_id, category, title, fetched_at, first_seen,"
                    " last_seen, http_status, encoding, content_hash) VALUES (:u, 1, '范文/演讲',"
                    " :t, '2026-01-01', '2026-01-01', '2026-01-01', 200, 'utf-8', :u)"
                ),
                [{"u": f"https://b.example/{start + i}.html", "t": f"讲话{start + i}"}
                 for i in range(n)],
            )  # fmt: skip
            rows = []
            for i in range(n):
                body = "".join(rng.choice(WORDS) for _ in range(rng.randint(300, 900)))
                rows.append({"a": start + i + 1, "t": f"讲话{start + i}", "x": body,
                             "n": len(body), "h": f"{start + i:064d}"})  # fmt: skip
            c.execute(
                text(
                    "INSERT INTO variants (article_id, variant_index, title, text, char_count,"
                    " exact_hash, created_at) VALUES (:a, 1, :t, :x, :n, :h, '2026-01-01')"
                ),
                rows,
            )
    engine.dispose()


def export_peak(url: str, fmt: str, out: Path) -> tuple[float, float]:
    code = (
        "import resource, sys; from fanwen_crawler.db import open_database; "
        "from fanwen_crawler.export import export; "
        f"export(open_database({url!r}), {fmt!r}, __import__('pathlib').Path({str(out)!r})); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(result.stderr)
    return int(result.stdout.strip()) / 1024, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, nargs="+", default=[20000, 80000])
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.texts:
            url = f"sqlite:///{Path(tmp) / f'c{n}.sqlite'}"
            build(url, n)
            size = Path(tmp, f"c{n}.sqlite").stat().st_size / 2**20
            row = {"db_mb": round(size, 1)}
            for fmt in ("jsonl", "csv", "parquet"):
                peak, secs = export_peak(url, fmt, Path(tmp) / f"out.{fmt}")
                row[f"{fmt}_peak_rss_mb"] = round(peak, 1)
                row[f"{fmt}_s"] = round(secs, 2)
            engine = open_database(url)
            for q in ("禁毒", "禁毒誓师"):
                times = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    search(engine, q, limit=10)
                    times.append(time.perf_counter() - t0)
                row[f"search_{len(q)}char_ms"] = round(1000 * statistics.median(times), 1)
            engine.dispose()
            figures[n] = row
            print(f"{n} texts: {row}", flush=True)
    print(json.dumps({"benchmark": "analyst_tools", "texts": figures,
                      "self_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                      // 1024}))  # fmt: skip


if __name__ == "__main__":
    main()
