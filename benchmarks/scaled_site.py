"""A scaled replica for benchmarks: thousands of ~30 KB article pages in the replica's layouts.

Usage: ``python benchmarks/scaled_site.py --pages 5000 --out /tmp/site`` (deterministic: the
same arguments give the same bytes).

The pages are rendered by the bundled replica's own templates (``fanwen_crawler.replica.build``:
the nuenian, GBK wenmi and fanwenku layouts, their listings with pagination, variant headings,
watermarks, editor intros, copyright lines, link blocks, continuation pages). Their texts are
new combinations of the team's paragraphs (``data/texts``), so that most texts are distinct;
about one variant in twelve is an exact copy of an earlier text and one in twenty-five a
copy with one paragraph changed, so the deduplication has work to do. Around the article each
page carries what makes real pages ~30 KB: navigation, a sidebar of links, inline script and
style.

Half the pages are nuenian's, a quarter wenmi's and a quarter fanwenku's (a third of them with
a ``_2.html`` continuation page). The start URLs of the three spiders are
``START_PATHS``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

from fanwen_crawler.replica import build as replica

N, W, F = replica.N, replica.W, replica.F
START_PATHS = {
    "speeches": "/nuenian/fanwen/yanjiangzhici/",
    "wenmi": "/wenmi/yanjiang/list_1.html",
    "fanwenku": "/fanwenku/yanjianggao/",
}
PER_LISTING = 40
STYLES = {
    N: ["num", "pian_num", "single"],
    W: ["pian_sub", "fanwen", "dipian", "single"],
    F: ["pian", "bracket", "single"],
}
_CSS = (
    "body{margin:0;font:14px/1.8 'Microsoft YaHei',SimSun,sans-serif;color:#333;background:#f5f5f5}"
    ".header,.nav,.footer{background:#fff;border-bottom:1px solid #e5e5e5}"
    ".sidebar{float:right;width:300px}.sidebar li{overflow:hidden;white-space:nowrap}"
    ".ad{margin:10px 0;text-align:center;min-height:90px}"
    ".content p{text-indent:2em;margin:0 0 1em}.related li{float:left;width:50%}"
)
_SCRIPT = (
    "var _hmt=_hmt||[];(function(){var hm=document.createElement('script');"
    "hm.src='/static/stat.js?v={n}';var s=document.getElementsByTagName('script')[0];"
    "s.parentNode.insertBefore(hm,s);})();"
    "function showAd(id,w,h){var el=document.getElementById(id);if(!el)return;"
    "el.style.width=w+'px';el.style.height=h+'px';el.innerHTML='<iframe src=\"/static/ad_'"
    '+id+\'.html" width="\'+w+\'" height="\'+h+\'" frameborder="0"></iframe>\';}'
    "showAd('ad_top',960,90);showAd('ad_side',300,250);showAd('ad_bottom',960,90);"
)
_CATEGORIES = (
    "工作总结 工作计划 心得体会 述职报告 演讲致辞 发言稿 主持词 申请书 策划方案 合同范本 "
    "实习报告 调研报告 自我介绍 自查报告 整改措施 辞职报告 求职信 承诺书 倡议书 感谢信 "
    "读后感 观后感 入党申请书 思想汇报 个人简历 教案 说课稿 评语 祝福语 对联"
).split()


def _paragraph_pool(texts: dict[str, replica.Text]) -> list[str]:
    pool = []
    for text in texts.values():
        if text.copy_of is None:
            pool.extend(p for p in text.paras if len(p) >= 20)
    return sorted(set(pool))


def _filler(site: str, i: int, titles: list[tuple[str, str]]) -> str:
    """Navigation, sidebar, script and style around the article: a real page's weight."""
    rng = random.Random(f"filler/{i}")
    nav = "".join(
        f'<a href="/{site}/category/{k}/">{name}</a> ' for k, name in enumerate(_CATEGORIES)
    )
    links = "".join(
        f'<li><span class="num">{k + 1}</span><a href="{path}" title="{title}">{title}</a>'
        f'<span class="date">2024-0{1 + k % 9}-{10 + k % 18}</span></li>\n'
        for k, (path, title) in enumerate(rng.sample(titles, min(len(titles), 70)))
    )
    script = "".join(_SCRIPT.replace("{n}", str(i * 7 + k)) for k in range(6))
    return (
        f"<style>{_CSS * 5}</style>\n"
        f'<div class="nav">{nav * 4}</div>\n'
        '<div class="ad" id="ad_top"></div>\n'
        f'<div class="sidebar"><h3>最新更新</h3><ul>\n{links}</ul>'
        '<div class="ad" id="ad_side"></div></div>\n'
        f"<script>{script}</script>\n"
        '<div class="ad" id="ad_bottom"></div>\n'
    )


def _insert(document: str, extra: str) -> str:
    cut = document.rindex("</body>")
    return document[:cut] + extra + document[cut:]


def build_site(out: Path, pages: int = 5000, seed: int = 8) -> dict:
    """Write the scaled site into ``out`` (replaced); return a small summary."""
    texts = replica.load_texts(replica.DATA)
    replica.add_copies(texts)
    seed_parts = replica.parse_seed(replica.DATA / "seed" / replica.SEED_NAME)
    pool = _paragraph_pool(texts)
    titles = sorted({t.title for t in texts.values() if t.copy_of is None})
    rng = random.Random(seed)
    made: list[str] = []  # ids of the synthetic texts, in order of creation

    def new_text(n: int) -> str:
        tid = f"scaled-{n}"
        roll = rng.random()
        if made and roll < 0.08:  # an exact copy of an earlier text
            source = texts[rng.choice(made)]
            texts[tid] = replica.Text(tid, source.title, list(source.paras))
        elif made and roll < 0.12:  # a copy with one paragraph changed
            source = texts[rng.choice(made)]
            paras = list(source.paras)
            paras[rng.randrange(len(paras))] = rng.choice(pool)
            texts[tid] = replica.Text(tid, source.title, paras)
        else:
            texts[tid] = replica.Text(tid, rng.choice(titles), rng.sample(pool, rng.randint(6, 10)))
        made.append(tid)
        return tid

    site_pages: dict[str, list[replica.Page]] = {N: [], W: [], F: []}
    for i in range(pages):
        site = (N, N, W, F)[i % 4]
        style = rng.choice(STYLES[site])
        count = 1 if style == "single" else rng.randint(2, 4)
        ids = [new_text(len(made)) for _ in range(count)]
        key = {N: replica.hexkey(f"scaled/{i}"), W: str(100000 + i), F: str(200000 + i)}[site]
        opts: dict[str, object] = {"wm": rng.random() < 0.5}
        if site == N and rng.random() < 0.3:
            opts["strong"] = True
        if site == F and style != "single" and rng.random() < 0.5:
            opts["pages"] = 2
        if site == W and rng.random() < 0.3:
            opts["br"] = "<br/>"
        site_pages[site].append(
            replica.Page(site, key, texts[ids[0]].title, ids, style, None, opts)
        )

    files: dict[str, bytes] = {}
    all_links = {
        site: [(replica.article_path(p), p.title) for p in plist[:400]]
        for site, plist in site_pages.items()
    }
    for site, plist in site_pages.items():
        entries = []
        for i, p in enumerate(plist):
            window = plist[max(0, i - 10) : i + 11]
            j = window.index(p)
            extra = _filler(site, i, all_links[site])
            path = replica.article_path(p)
            if site == N:
                doc, _, _ = replica.render_nuenian(p, j, window, texts, seed_parts)
                files[path] = _insert(doc, extra).encode("utf-8")
            elif site == W:
                doc, _, _ = replica.render_wenmi(p, j, window, texts)
                files[path] = _insert(doc, extra).encode("gbk")
            else:
                docs, _, _ = replica.render_fanwenku(p, j, texts)
                files[path] = _insert(docs[0], extra).encode("utf-8")
                for k, more in enumerate(docs[1:], 2):
                    files[path[:-5] + f"_{k}.html"] = _insert(more, extra).encode("utf-8")
            entries.append((path, p.title, replica.page_date(site, i % 300)))
        chunks = [entries[k : k + PER_LISTING] for k in range(0, len(entries), PER_LISTING)]
        for k, chunk in enumerate(chunks, 1):
            if site == N:
                name = "index.html" if k == 1 else f"list_{k}.html"
                files[f"/nuenian/fanwen/yanjiangzhici/{name}"] = replica.nuenian_listing(
                    chunk, k, len(chunks)
                ).encode("utf-8")
            elif site == W:
                files[f"/wenmi/yanjiang/list_{k}.html"] = replica.wenmi_listing(
                    chunk, k, len(chunks)
                ).encode("gbk")
            else:
                name = "index.html" if k == 1 else f"index_{k}.html"
                files[f"/fanwenku/yanjianggao/{name}"] = replica.fanwenku_listing(
                    chunk, k, len(chunks)
                ).encode("utf-8")
    files["/robots.txt"] = b"User-agent: *\nDisallow: /private/\n"
    articles = [path for site in site_pages for path in map(replica.article_path, site_pages[site])]
    article_bytes = [len(files[p]) for p in articles]
    summary = {
        "articles": len(articles),
        "files": len(files),
        "variants": sum(len(p.texts) for plist in site_pages.values() for p in plist),
        "continuations": sum(1 for p in files if "_2.html" in p),
        "mean_article_kb": round(sum(article_bytes) / len(article_bytes) / 1024, 1),
        "total_mb": round(sum(map(len, files.values())) / 2**20, 1),
    }
    if out.exists():
        shutil.rmtree(out)
    for path, data in files.items():
        target = out / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (out / "scaled.json").write_text(json.dumps(summary) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="article pages (default 5000)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write (replaced)")
    args = parser.parse_args(argv)
    print(json.dumps(build_site(args.out, args.pages), ensure_ascii=False))


if __name__ == "__main__":
    main()
