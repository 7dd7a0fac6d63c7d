"""Crawl throughput: our full crawl against a bare Scrapy crawl of the same site, in one run.

Usage: ``python benchmarks/crawl_throughput.py [--pages 5000] [--rounds 1]``

1. Generates a scaled replica (``benchmarks/scaled_site.py``: ~30 KB article pages in the three
   replica layouts, with variants, boilerplate, copies and continuation pages).
2. Serves it on 127.0.0.1 in its own process (``benchmarks/static_server.py``): nginx where it
   is installed, else Twisted's ``static.File`` (``--server`` chooses).
3. Crawls it, each crawl in a fresh child process, with the three replica spiders in one Scrapy
   process (as ``fanwen demo`` does) and the same settings (``fanwen demo``'s local settings:
   no AutoThrottle, no delay, the project's concurrency, middlewares and pipelines):
   (a) *bare*: the spiders' own listing callback, but article callbacks that only follow the
   continuation links and yield no item; (b) *full*: the real spiders and pipelines
   (extraction, cleaning, deduplication, SQLite).
4. Prints pages per second of each, the ratio full/bare, peak RSS, CPU per page of the crawler
   and of the server, the time per stage (``fanwen/time/*`` stats), and last one JSON line
   (keys ``pages``, ``bare_pages_per_s``, ``full_pages_per_s``, ``ratio``, ``bare_peak_rss_mb``,
   ``full_peak_rss_mb``, ``stages`` and more).

With ``--rounds 2`` the crawls alternate bare, full, bare, full and the best round of each
counts (the machine is shared; the spread is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ child: one crawl


def bare_spider(cls: type) -> type:
    """The spider with article callbacks that only follow continuation links."""
    from scrapy import Request
    from scrapy.http import TextResponse

    def follow(self, response, first=None, seen=None):
        if not isinstance(response, TextResponse):
            return
        first = first or response.url
        seen = seen if seen is not None else {response.url}
        following = self._next_continuation(response, first, seen)
        if following:
            seen.add(following)
            yield Request(
                following,
                callback=self.parse_continuation,
                errback=self.on_error,
                cb_kwargs={"first": first, "seen": seen},
            )

    def parse_article(self, response, **kwargs):
        yield from follow(self, response)

    def parse_continuation(self, response, first=None, seen=None, **kwargs):
        yield from follow(self, response, first, seen)

    return type(
        f"Bare{cls.__name__}",
        (cls,),
        {"parse_article": parse_article, "parse_continuation": parse_continuation},
    )


def run_child(mode: str, url: str, db_url: str, offload: bool = False) -> dict[str, Any]:
    from scaled_site import START_PATHS
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiderloader import SpiderLoader
    from twisted.internet import task

    from fanwen_crawler.cli import LOCAL_SETTINGS, project_settings
    from fanwen_crawler.timing import stage_times

    overrides = {**LOCAL_SETTINGS, "LOG_LEVEL": "ERROR"}
    if offload and mode == "full":  # cleaning, dedup and store in a worker process
        overrides["FANWEN_OFFLOAD"] = True
    settings = project_settings(db_url, overrides)
    loader = SpiderLoader.from_settings(settings)
    process = CrawlerProcess(settings, install_root_handler=False)
    crawlers = []
    for name, path in START_PATHS.items():
        cls = loader.load(name)
        crawler = process.create_crawler(bare_spider(cls) if mode == "bare" else cls)
        crawlers.append(crawler)
        process.crawl(crawler, start_url=url + path)

    samples: list[tuple[int, float]] = []  # (responses so far, RSS MB)

    def sample() -> None:
        done = sum(c.stats.get_value("response_received_count", 0) for c in crawlers)
        with open("/proc/self/statm") as statm:
            rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        samples.append((done, rss))

    sampler = task.LoopingCall(sample)
    sampler.start(0.5, now=False)
    cpu0 = os.times()
    process.start()
    cpu1 = os.times()
    stats = [c.stats.get_stats() for c in crawlers]
    start = min(s["start_time"] for s in stats)
    finish = max(s["finish_time"] for s in stats)
    stages: dict[str, dict[str, float]] = {}
    for s in stats:
        for stage, figures in stage_times(s).items():
            total = stages.setdefault(stage, {"seconds": 0.0, "calls": 0})
            for key, value in figures.items():
                total[key] += value
    counts: dict[str, int] = {}
    for s in stats:
        for key, value in s.items():
            if isinstance(value, int) and (
                key.startswith(("fanwen/articles", "fanwen/duplicates", "fanwen/errors"))
                or key in {"item_scraped_count", "response_received_count"}
            ):
                counts[key] = counts.get(key, 0) + value
    return {
        "mode": mode,
        "responses": counts.get("response_received_count", 0),
        "seconds": (finish - start).total_seconds(),
        "cpu_s": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
        # the offload worker's (a joined child of the crawl's process)
        "worker_cpu_s": (cpu1.children_user - cpu0.children_user)
        + (cpu1.children_system - cpu0.children_system),
        "offload": offload and mode == "full",
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_samples": samples,
        "stages": stages,
        "counts": counts,
        "finish_reasons": [s.get("finish_reason") for s in stats],
    }


# ------------------------------------------------------------------ parent


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def crawl(
    mode: str, url: str, workdir: Path, server_pid: int, n: int, offload: bool
) -> dict[str, Any]:
    db = workdir / f"{mode}-{n}.sqlite"
    if db.exists():
        db.unlink()
    before = cpu_ticks(server_pid)
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url, "--db", f"sqlite:///{db}"]
        + ["--child-offload", str(int(offload))],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{mode} crawl failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["server_cpu_s"] = (cpu_ticks(server_pid) - before) / TICK
    figures["pages_per_s"] = figures["responses"] / figures["seconds"]
    return figures


def rss_growth(samples: list[list[float]]) -> str:
    """RSS at a quarter, half and all of the crawl: flat memory reads as equal figures."""
    if len(samples) < 4:
        return "too short to sample"
    total = samples[-1][0] or 1
    marks = []
    for share in (0.25, 0.5, 1.0):
        done, rss = next((s for s in samples if s[0] >= share * total), samples[-1])
        marks.append(f"{rss:.0f} MB at {done}")
    return ", ".join(marks)


def split_stages(stages: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """The four stages of the issue: the store's near-dup look-ups count as dedup, not store."""
    out = {k: dict(v) for k, v in stages.items() if k != "near_dup"}
    near = stages.get("near_dup")
    if near:
        out.setdefault("dedup", {"seconds": 0.0, "calls": 0})["seconds"] += near["seconds"]
        if "store" in out:
            out["store"]["seconds"] -= near["seconds"]
    return out


def report(
    pages: int, best: dict[str, dict], runs: dict[str, list[dict]], build: dict, server: str
) -> dict:
    bare, full = best["bare"], best["full"]
    full["stages"] = split_stages(full["stages"])
    ratio = full["pages_per_s"] / bare["pages_per_s"]
    print(
        f"site: {build['articles']} articles ({build['mean_article_kb']} KB mean), "
        f"{build['files']} files, {build['variants']} variants, {build['total_mb']} MB"
    )
    for mode, fig in best.items():
        spread = ", ".join(f"{r['pages_per_s']:.0f}" for r in runs[mode])
        print(
            f"{mode:5}: {fig['responses']} responses in {fig['seconds']:.1f} s = "
            f"{fig['pages_per_s']:.0f} pages/s (rounds: {spread}); crawler CPU "
            f"{1000 * fig['cpu_s'] / fig['responses']:.2f} ms/page (+ offload worker "
            f"{1000 * fig.get('worker_cpu_s', 0) / fig['responses']:.2f}), server CPU "
            f"{1000 * fig['server_cpu_s'] / fig['responses']:.2f} ms/page; "
            f"peak RSS {fig['peak_rss_mb']:.0f} MB; RSS {rss_growth(fig['rss_samples'])}"
        )
    print(f"ratio full/bare: {ratio:.2f} (target 0.85)")
    print(
        "time per stage in the full crawl (wall time inside the stage, summed; dedup includes"
        " the store's near-dup look-ups, store is the rest of the database work):"
    )
    articles = full["counts"].get("item_scraped_count", 0) or 1
    for stage, fig in sorted(full["stages"].items(), key=lambda kv: -kv[1]["seconds"]):
        print(
            f"  {stage:9} {fig['seconds']:7.2f} s  {1000 * fig['seconds'] / articles:6.2f} ms/item"
            f"  ({int(fig['calls'])} calls)"
        )
    print("counts:", json.dumps(full["counts"], sort_keys=True))
    return {
        "pages": pages,
        "responses": full["responses"],
        "bare_pages_per_s": round(bare["pages_per_s"], 1),
        "full_pages_per_s": round(full["pages_per_s"], 1),
        "ratio": round(ratio, 3),
        "bare_peak_rss_mb": round(bare["peak_rss_mb"], 1),
        "full_peak_rss_mb": round(full["peak_rss_mb"], 1),
        "bare_cpu_ms_per_page": round(1000 * bare["cpu_s"] / bare["responses"], 3),
        "full_cpu_ms_per_page": round(1000 * full["cpu_s"] / full["responses"], 3),
        "full_worker_cpu_ms_per_page": round(
            1000 * full.get("worker_cpu_s", 0) / full["responses"], 3
        ),
        "server": server,
        "full_server_cpu_ms_per_page": round(1000 * full["server_cpu_s"] / full["responses"], 3),
        "offload": full.get("offload", False),
        "stages": {k: round(v["seconds"], 3) for k, v in sorted(full["stages"].items())},
        "stage_ms_per_item": {
            k: round(1000 * v["seconds"] / articles, 3) for k, v in sorted(full["stages"].items())
        },
        "rounds": {mode: [round(r["pages_per_s"], 1) for r in rs] for mode, rs in runs.items()},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="article pages (default 5000)")
    parser.add_argument("--rounds", type=int, default=1, help="bare+full rounds; best counts")
    parser.add_argument("--only", choices=["bare", "full"], help="run one of the two crawls")
    parser.add_argument("--workdir", type=Path, help="keep the site and databases here")
    parser.add_argument(
        "--no-offload",
        dest="offload",
        action="store_false",
        help="full crawl without FANWEN_OFFLOAD (everything in the crawl's process)",
    )
    parser.add_argument(
        "--server",
        choices=["auto", "nginx", "twisted"],
        default="auto",
        help="the site's static server (auto: nginx if installed, else Twisted's)",
    )
    parser.add_argument("--child-offload", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["bare", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, args.url, args.db, bool(args.child_offload))))
        return

    from scaled_site import build_site
    from static_server import serving

    with tempfile.TemporaryDirectory(prefix="fanwen-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        site = workdir / "site"
        built = time.perf_counter()
        build = build_site(site, args.pages)
        print(f"built the site in {time.perf_counter() - built:.1f} s", flush=True)
        with serving(site, args.server) as served:
            print(f"serving it with {served.server} at {served.url}", flush=True)
            modes = [args.only] if args.only else ["bare", "full"]
            runs: dict[str, list[dict]] = {m: [] for m in modes}
            for n in range(args.rounds):
                for mode in modes:
                    runs[mode].append(crawl(mode, served.url, workdir, served.pid, n, args.offload))
                    last = runs[mode][-1]
                    print(f"  {mode} round {n + 1}: {last['pages_per_s']:.0f} pages/s", flush=True)
        best = {m: max(rs, key=lambda r: r["pages_per_s"]) for m, rs in runs.items()}
        if args.only:
            fig = best[args.only]
            print(json.dumps({k: v for k, v in fig.items() if k != "rss_samples"}))
            return
        print(json.dumps(report(args.pages, best, runs, build, served.server)))


if __name__ == "__main__":
    main()
