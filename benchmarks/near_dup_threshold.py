"""Measure shingle sizes (2–5) and thresholds for near-duplicate detection.

Pairs are made from the team's own texts in data/texts/ (one text per file):

must match      edited (place names and figures changed), traditional (OpenCC s2t),
                paragraph dropped, paragraph added, spun (synonyms swapped)
must not match  two different texts of one topic (same file prefix) that were given the
                same template opening and closing

For each shingle size the script prints the true Jaccard similarity of each kind of pair
(minimum for the must-match kinds, maximum for the must-not), then, per threshold, recall
(must-match pairs at or over it, and found by the LSH bands) and the share of must-not pairs
that would be wrongly merged. Last line: JSON with the same figures.

    python benchmarks/near_dup_threshold.py [--texts data/texts] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from fanwen_crawler import neardup
from fanwen_crawler.textnorm import comparison_form

SIZES = (2, 3, 4, 5)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
PLACES = ["青山县", "河西区", "东湖镇", "南岭乡", "白沙市", "北关街道"]
# Synonym swaps a "spinning" tool would make (our own list).
SYNONYMS = {
    "同志们": "朋友们",
    "我们": "咱们",
    "进一步": "更加",
    "加强": "强化",
    "提高": "提升",
    "认真": "切实",
    "重要": "关键",
    "必须": "务必",
    "积极": "主动",
    "推进": "推动",
    "落实": "贯彻",
    "问题": "难题",
    "坚持": "坚守",
    "确保": "保证",
    "开展": "展开",
    "工作": "事务",
    "今天": "今日",
    "大家": "各位",
    "发展": "进步",
    "要求": "规定",
}
OPENING = (
    "尊敬的各位领导、各位来宾,同志们:大家好!今天,我们在这里隆重集会,"
    "我谨代表组委会向大家表示热烈的欢迎和衷心的感谢。"
)
NEGATIVE = ("same topic, template opening", "same topic, opening + 2 paragraphs")
CLOSING = "最后,祝大家身体健康、工作顺利、万事如意!谢谢大家!"


def load(folder: Path) -> dict[str, list[str]]:
    texts = {}
    for path in sorted(folder.glob("*.txt")):
        lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        if len(lines) >= 3:
            texts[path.stem] = lines[1:]  # without the title
    return texts


def edited(paras: list[str], rnd: random.Random) -> list[str]:
    text = "\n".join(paras)
    for place in ("我县", "我市", "我区", "全县", "全市"):
        text = text.replace(place, rnd.choice(PLACES))
    digits = "0123456789一二三四五六七八九十"
    chars = [rnd.choice(digits) if c in digits and rnd.random() < 0.5 else c for c in text]
    return "".join(chars).split("\n")


def spun(paras: list[str], rnd: random.Random, share: float = 0.6) -> list[str]:
    out = []
    for p in paras:
        for word, other in SYNONYMS.items():
            if word in p and rnd.random() < share:
                p = p.replace(word, other)
        out.append(p)
    return out


def pairs(texts: dict[str, list[str]], rnd: random.Random):
    import opencc

    s2t = opencc.OpenCC("s2t")
    names = list(texts)
    for name in names:
        paras = texts[name]
        yield "edited", paras, edited(paras, rnd)
        yield "traditional", paras, [s2t.convert(p) for p in paras]
        drop = rnd.randrange(1, len(paras))
        yield "paragraph dropped", paras, paras[:drop] + paras[drop + 1 :]
        other = texts[rnd.choice([n for n in names if n != name])]
        at = rnd.randrange(1, len(paras))
        yield "paragraph added", paras, paras[:at] + [rnd.choice(other)] + paras[at:]
        yield "spun", paras, spun(paras, rnd)
    for a in names:
        for b in names:
            if a < b and a.split("-")[0] == b.split("-")[0]:
                ta, tb = texts[a], texts[b]
                yield NEGATIVE[0], [OPENING, *ta, CLOSING], [OPENING, *tb, CLOSING]
                # the harder case: the second speech also copies the first one's opening
                # paragraph before going its own way
                yield NEGATIVE[1], [OPENING, *ta, CLOSING], [OPENING, *ta[:2], *tb[2:], CLOSING]


def found_by_bands(sim: float) -> float:
    bands, rows = neardup.band_layout()
    return 1 - (1 - sim**rows) ** bands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, default=Path("data/texts"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    texts = load(args.texts)
    if len(texts) < 4:
        print(f"need the team's texts in {args.texts}", file=sys.stderr)
        return 1
    all_pairs = list(pairs(texts, random.Random(args.seed)))
    kinds = list(dict.fromkeys(kind for kind, _, _ in all_pairs))
    result: dict = {"pairs": len(all_pairs), "texts": len(texts), "sizes": {}}
    print(f"{len(texts)} texts, {len(all_pairs)} pairs; bands×rows = {neardup.band_layout()}")
    for size in SIZES:
        sims: dict[str, list[float]] = {k: [] for k in kinds}
        for kind, a, b in all_pairs:
            sa = neardup.shingle_hashes(comparison_form("\n".join(a)), size)
            sb = neardup.shingle_hashes(comparison_form("\n".join(b)), size)
            sims[kind].append(neardup.jaccard(sa, sb))
        print(f"\nshingle size {size}: Jaccard by kind of pair")
        for kind in kinds:
            v = sorted(sims[kind])
            print(f"  {kind:30s} min {v[0]:.2f}  median {v[len(v) // 2]:.2f}  max {v[-1]:.2f}")
        print("  threshold  recall  (with LSH)  false merges")
        row = {}
        positives = [s for k in kinds if k not in NEGATIVE for s in sims[k]]
        negatives = [s for k in NEGATIVE for s in sims[k]]
        for t in THRESHOLDS:
            recall = sum(s >= t for s in positives) / len(positives)
            with_lsh = sum(found_by_bands(s) for s in positives if s >= t) / len(positives)
            false = sum(s >= t for s in negatives) / len(negatives)
            row[str(t)] = {
                "recall": round(recall, 3),
                "recall_lsh": round(with_lsh, 3),
                "false_merge": round(false, 3),
            }
            print(f"  {t:9.1f}  {recall:6.3f}  {with_lsh:10.3f}  {false:12.3f}")
        result["sizes"][str(size)] = {
            "thresholds": row,
            "min": {k: round(min(sims[k]), 3) for k in kinds if k not in NEGATIVE},
            "max": {k: round(max(sims[k]), 3) for k in NEGATIVE},
        }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
