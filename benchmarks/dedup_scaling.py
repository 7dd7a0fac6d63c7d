"""Near-duplicate detection at scale: insert cost per document as the corpus grows.

Inserts generated variants (about 3,000 characters each, drawn from a vocabulary, with
planted near-duplicates) through the real store path (DedupPipeline, then CorpusWriter in
batched transactions) into one database, and prints at each checkpoint size (default 1,000,
10,000 and 100,000) the time per document of the inserts just before it, i.e. the cost of an
insert when the corpus holds that many texts: the last 10% of them, at least 1,000. The
window grows with the size because the search index's upkeep comes in lumps (FTS5 merges its
segments, SQLite checkpoints its WAL): a fixed window of 1,000 documents at 100,000 catches a
lump or misses one, and swung between 9 and 16 ms in runs of one commit. That figure is
printed too (``last_1000_ms``). Then recall and precision on the planted
pairs, peak memory, and last one line of JSON: ``per_doc_ms`` by size, ``flat_ratio``
(largest size / smallest), ``recall``, ``precision``, ``peak_rss_mb``.

Planted: 10% of documents are copies of an earlier original (a few words changed, a
paragraph dropped, a paragraph added, traditional script, placeholders); 20% of originals
open with one of a handful of template paragraphs and so must stay apart.

    python benchmarks/dedup_scaling.py                    # 1k, 10k, 100k into a temp SQLite
    python benchmarks/dedup_scaling.py --sizes 1000,10000 # shorter
    python benchmarks/dedup_scaling.py --db postgresql+psycopg://…  # an empty database
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from fanwen_crawler import neardup
from fanwen_crawler.db import open_database, redact
from fanwen_crawler.items import ArticleItem, VariantItem
from fanwen_crawler.pipelines.dedup import DedupPipeline
from fanwen_crawler.storage import CorpusWriter

WINDOW = 1000  # documents per timing window, at least
WINDOW_SHARE = 0.1  # of the corpus size


def window(size: int) -> slice:
    """The inserts that give the cost per document at ``size``."""
    return slice(max(0, size - max(WINDOW, int(size * WINDOW_SHARE))), size)


SITES = ["nuenian", "wenmi", "fanwenku", "haofanwen", "jingxuan"]
EDITS = ["edited", "dropped", "added", "traditional", "placeholders"]


class Generator:
    """Cheap deterministic texts: document ``i`` is rebuilt from its seed whenever needed,
    so nothing but a list of integers is kept for 100,000 documents."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        pool = np.array([chr(c) for c in range(0x4E00, 0x4E00 + 3000)])
        lengths = rng.choice([1, 2, 3, 4], size=8000, p=[0.15, 0.55, 0.2, 0.1])
        self.words = ["".join(rng.choice(pool, n)) for n in lengths]
        weights = 1.0 / (np.arange(len(self.words)) + 20.0)  # Zipf-like frequencies
        self.cdf = np.cumsum(weights / weights.sum())
        self.openings = [self.paragraph(np.random.default_rng(seed + k)) for k in range(8)]
        self.seed = seed
        self.s2t = _simplified_to_traditional()

    def paragraph(self, rng: np.random.Generator, chars: int = 210) -> str:
        ids = np.searchsorted(self.cdf, rng.random(chars // 2)).clip(0, len(self.words) - 1)
        out, size = [], 0
        for n, i in enumerate(ids):
            out.append(self.words[i])
            size += len(self.words[i])
            if n % 9 == 8:
                out.append("," if n % 27 else "。")
            if size >= chars:
                break
        return "".join(out) + "。"

    def original(self, i: int) -> list[str]:
        rng = np.random.default_rng((self.seed, i))
        paras = [self.paragraph(rng) for _ in range(14)]
        if i % 5 == 0:  # a template opening shared with other, different texts
            paras[0] = self.openings[i % len(self.openings)]
        return paras

    def copy(self, paras: list[str], edit: str, rnd: random.Random) -> list[str]:
        paras = list(paras)
        if edit == "edited":  # a place name and a few words changed
            for _ in range(12):
                k = rnd.randrange(len(paras))
                at = rnd.randrange(len(paras[k]) - 3)
                word = self.words[rnd.randrange(len(self.words))]
                paras[k] = paras[k][:at] + word + paras[k][at + 2 :]
        elif edit == "dropped":
            del paras[rnd.randrange(1, len(paras))]
        elif edit == "added":
            rng = np.random.default_rng(rnd.randrange(2**32))
            paras.insert(rnd.randrange(1, len(paras)), self.paragraph(rng))
        elif edit == "traditional":
            paras = [p.translate(self.s2t) for p in paras]
        elif edit == "placeholders":
            for k in range(0, len(paras), 4):
                paras[k] = "某某" + paras[k][2:]
        return paras


def _simplified_to_traditional() -> dict[int, str]:
    import opencc

    folder = Path(opencc.__file__).resolve().parent / "dictionary"
    table = {}
    for line in (folder / "STCharacters.txt").read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            table[ord(source)] = targets.split(" ")[0]
    return table


def plan(count: int, dup_rate: float, seed: int) -> list[tuple[int, str] | None]:
    """For each document: None (an original) or (original's number, edit)."""
    rnd = random.Random(seed)
    originals: list[int] = []
    out: list[tuple[int, str] | None] = []
    for i in range(count):
        if originals and i >= 20 and rnd.random() < dup_rate:
            out.append((rnd.choice(originals), EDITS[i % len(EDITS)]))
        else:
            originals.append(i)
            out.append(None)
    return out


def url(i: int) -> str:
    return f"https://{SITES[i % len(SITES)]}.example/fanwen/{i}.html"


def item(i: int, paras: list[str]) -> ArticleItem:
    body = "\n".join(paras)
    return ArticleItem(
        url=url(i),
        site=SITES[i % len(SITES)],
        category="范文/演讲致辞",
        title=f"讲话{i}",
        variants=[VariantItem(1, f"讲话{i}", paras, text=body)],
        fetched_at="2026-11-29T00:00:00",
        html_hash=f"h{i}",
    )


class DedupClock:
    """Time spent in near-duplicate work (fingerprint, look-up, indexing) during the run."""

    def __init__(self) -> None:
        self.seconds = 0.0
        for owner, name in [
            (neardup, "fingerprint"),
            (neardup.NearDupIndex, "match"),
            (neardup.NearDupIndex, "add"),
            (neardup.NearDupIndex, "lock"),
        ]:
            setattr(owner, name, self.timed(getattr(owner, name)))

    def timed(self, function):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0

        return wrapper


def run(
    db_url: str,
    sizes: list[int],
    batch: int,
    dup_rate: float,
    seed: int,
    search: bool = True,
    cache_mb: int = 0,
    automerge: int = 0,
) -> dict:
    gen = Generator(seed)
    total = max(sizes)
    planned = plan(total, dup_rate, seed)
    engine = open_database(db_url)
    if cache_mb and engine.dialect.name == "sqlite":
        engine.dispose()

        @event.listens_for(engine, "connect")
        def _cache(dbapi_connection, _record):
            dbapi_connection.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")

    if not search and engine.dialect.name == "sqlite":
        with engine.begin() as c:  # isolate the cost of the FTS5 search index (migration 0002)
            c.exec_driver_sql("DROP TRIGGER IF EXISTS corpus_fts_insert")
    if automerge and search and engine.dialect.name == "sqlite":
        with engine.begin() as c:  # FTS5's merge fan-in (its default is 4)
            c.exec_driver_sql(
                "INSERT INTO corpus_fts(corpus_fts, rank) VALUES ('automerge', ?)", (automerge,)
            )
    writer = CorpusWriter()
    dedup = DedupPipeline()
    rnd = random.Random(seed + 1)
    neardup.fingerprint("\n".join(gen.original(0)))  # one-time set-up (tables) not timed
    elapsed = np.zeros(total)  # seconds per document (batch time spread over its documents)
    in_dedup = np.zeros(total)  # of which near-duplicate work
    cpu = np.zeros(total)  # this process's CPU seconds per document: robust to other load
    clock = DedupClock()
    chars = 0
    started = time.perf_counter()
    for start in range(0, total, batch):
        items = []
        for i in range(start, min(start + batch, total)):
            source = planned[i]
            if source is None:
                paras = gen.original(i)
            else:
                paras = gen.copy(gen.original(source[0]), source[1], rnd)
            items.append(item(i, paras))
            chars += sum(map(len, paras))
        t0, d0, c0 = time.perf_counter(), clock.seconds, time.process_time()
        with Session(engine) as session, session.begin():
            for it in items:
                writer.write(session, dedup.process_item(it))
        elapsed[start : start + len(items)] = (time.perf_counter() - t0) / len(items)
        in_dedup[start : start + len(items)] = (clock.seconds - d0) / len(items)
        cpu[start : start + len(items)] = (time.process_time() - c0) / len(items)
        done = start + len(items)
        if done % 10000 == 0 or done == total:
            print(
                f"  {done:>7} documents, {time.perf_counter() - started:7.1f} s",
                file=sys.stderr,
                flush=True,
            )

    def window_ms(values: np.ndarray, pick=window) -> dict[str, float]:
        return {str(size): round(float(values[pick(size)].mean() * 1000), 3) for size in sizes}

    per_doc = window_ms(elapsed)

    dedup_ms = window_ms(in_dedup)
    cpu_ms = window_ms(cpu)
    recall, precision = score(engine, planned, total)
    engine.dispose()
    return {
        "per_doc_ms": per_doc,
        "mean_ms": round(float(elapsed.mean() * 1000), 3),
        "last_1000_ms": window_ms(elapsed, lambda size: slice(max(0, size - WINDOW), size)),
        "dedup_ms": dedup_ms,
        "cpu_ms": cpu_ms,
        "cpu_flat_ratio": round(cpu_ms[str(max(sizes))] / cpu_ms[str(min(sizes))], 3),
        "flat_ratio": round(per_doc[str(max(sizes))] / per_doc[str(min(sizes))], 3),
        "recall": round(recall, 4),
        "precision": round(precision, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "documents": total,
        "planted": sum(p is not None for p in planned),
        "mean_chars": round(chars / total),
        "threshold": writer.index.threshold,
        "bands_rows": list(neardup.band_layout()),
        "shingle": neardup.SHINGLE,
        "batch": batch,
        "search_index": search,
        "sqlite_cache_mb": cache_mb or None,
        "fts_automerge": automerge or None,
        "counts": {k: v for k, v in writer.counts.items() if k.startswith("duplicates")},
    }


def score(engine, planned, total) -> tuple[float, float]:
    """Recall: planted copies pointing at their original. Precision: of all copies found,
    those that are planted copies pointing at their original."""
    number = {}
    canonical_of = {}
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT v.id, v.duplicate_of, a.url FROM variants v "
                "JOIN articles a ON a.id = v.article_id"
            )
        )
        for vid, dup, u in rows:
            i = int(u.rsplit("/", 1)[1].split(".")[0])
            number[vid] = i
            canonical_of[i] = dup
    id_of = {i: vid for vid, i in number.items()}
    planted = [(i, p[0]) for i, p in enumerate(planned[:total]) if p is not None]
    hits = sum(canonical_of.get(i) == id_of.get(j) for i, j in planted)
    found = [i for i, dup in canonical_of.items() if dup is not None]
    right = sum(
        planned[i] is not None and canonical_of[i] == id_of.get(planned[i][0]) for i in found
    )
    return hits / max(1, len(planted)), right / max(1, len(found))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="checkpoint sizes")
    parser.add_argument("--db", help="database URL (default: a new temporary SQLite file)")
    parser.add_argument("--batch", type=int, default=50, help="documents per transaction")
    parser.add_argument("--dup-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--sqlite-cache-mb",
        type=int,
        default=0,
        help="SQLite page cache per connection in MB (default: SQLite's own, 2 MB)",
    )
    parser.add_argument(
        "--fts-automerge",
        type=int,
        default=0,
        help="SQLite: FTS5 automerge for the search index (default: the database's own)",
    )
    parser.add_argument(
        "--without-search-index",
        action="store_true",
        help="SQLite: leave out the FTS5 search index's insert trigger, to see its share",
    )
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        db_url = args.db or f"sqlite:///{tmp}/corpus.sqlite"
        print(f"inserting {max(sizes)} documents into {redact(db_url)}", file=sys.stderr)
        result = run(
            db_url,
            sizes,
            args.batch,
            args.dup_rate,
            args.seed,
            not args.without_search_index,
            args.sqlite_cache_mb,
            args.fts_automerge,
        )
        result["database"] = db_url.split(":", 1)[0]
    print(
        f"\n{'corpus size':>12}  {'ms per document (last 10%)':>27}  {'of which dedup':>14}"
        f"  {'CPU ms':>8}"
    )
    for size, ms in result["per_doc_ms"].items():
        print(
            f"{int(size):>12,}  {ms:>27.3f}  {result['dedup_ms'][size]:>14.3f}"
            f"  {result['cpu_ms'][size]:>8.3f}"
        )
    print(f"flat ratio (largest / smallest): {result['flat_ratio']:.3f}   (target ≤ 1.5)")
    print(f"flat ratio of CPU time: {result['cpu_flat_ratio']:.3f}   (not moved by other load)")
    print(f"mean over the run: {result['mean_ms']:.3f} ms per document")
    print(f"last 1,000 inserts before each size: {result['last_1000_ms']} ms per document")
    print(
        f"planted pairs: {result['planted']}  recall {result['recall']:.4f}  "
        f"precision {result['precision']:.4f}   (targets ≥ 0.95)"
    )
    print(f"peak memory: {result['peak_rss_mb']} MB")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
