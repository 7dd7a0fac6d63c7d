"""Deterministic generator of the bundled replica site (``data/replica/``).

Usage: ``python -m fanwen_crawler.replica.build [--out DIR]``.

Inputs: ``data/texts/<id>.txt`` (first line the title, then one paragraph per line) and the
seed ``data/seed/000_d01860286288732d.txt``. Output: three site layouts (``nuenian``, UTF-8,
the seed's site; ``wenmi``, GBK; ``fanwenku``, UTF-8 with continuation pages), hub pages,
``robots.txt`` and ``manifest.json``. The same inputs always give the same bytes.

Manifest rules (contract for the tests and the core):

* ``variants[].title`` is the variant heading exactly as shown on the page, stripped:
  ``禁毒誓师大会上讲话1`` and ``年会致辞篇1`` (nuenian), ``篇一:开学典礼致辞``,
  ``第一篇:…``, ``范文一`` (wenmi), ``篇一`` and ``【篇一】`` (fanwenku). A page without
  variant headings has one variant, index 1, titled with the article title.
* ``first`` / ``last`` are the first and last paragraph of the variant's clean body text as
  they read on the page (boilerplate and watermarks removed, surrounding whitespace
  including U+3000 and NBSP stripped, punctuation as on the page); ``paragraphs`` counts
  the clean body paragraphs (inner headings such as ``一、…`` are paragraphs).
* ``boilerplate`` lists every injected non-body string of the page exactly as it reads in
  the page text (entities decoded); none of them occurs in any clean text.
* ``texts``: every text used on a page. ``copy_of`` names the source text of a copy and
  ``edit`` says how it differs: ``exact`` (only whitespace or full/half-width punctuation),
  ``edited`` (a name changed, a paragraph dropped or added) or ``traditional`` (characters
  in traditional script).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
SEED_NAME = "000_d01860286288732d.txt"
SEED_HEX = "07d16818ebe34cf828ffd1e42b346479"

CN_NUM = "零一二三四五六七八九十"
NUENIAN_WM = "原创文秘材料,尽在网络。"
WENMI_WM_MID = "本文来自文秘网"
WENMI_WM_END = "(文秘网 www.wenmi.example)"
PAYWALL = "……此处隐藏1024个字……"
FANWENKU_SOURCE = "文章出处:范文库"
FANWENKU_APP = "下载范文库APP,海量范文免费看"

HALFWIDTH = str.maketrans({",": ",", ":": ":", ";": ";", "(": "(", ")": ")", "!": "!", "?": "?"})
# Simplified -> traditional, a small table (round-trips through OpenCC t2s).
_S = (
    "万严个为丽举乐习乡书争于亲仅从仪们伙会传体养写刚创动励单卫却厌参双发台后听启园国块壮处备"
    "复够奖学对导尘属师帮并开张当怀护数无时来极树样欢气没洁浇温湿满爱环现画种积紧约级纸组细经"
    "绘给继绩续绿职节苏荣获虚誉认让议记讲评话说课调谢责质赖赶践辅辈边还这进远释里错长问难顾领"
    "题风骄验"
)
_T = (
    "萬嚴個爲麗舉樂習鄉書爭於親僅從儀們夥會傳體養寫剛創動勵單衛卻厭參雙發臺後聽啓園國塊壯處備"
    "復夠獎學對導塵屬師幫並開張當懷護數無時來極樹樣歡氣沒潔澆溫溼滿愛環現畫種積緊約級紙組細經"
    "繪給繼績續綠職節蘇榮獲虛譽認讓議記講評話說課調謝責質賴趕踐輔輩邊還這進遠釋裏錯長問難顧領"
    "題風驕驗"
)
TRAD = str.maketrans(dict(zip(_S, _T, strict=True)))


def cn(n: int) -> str:
    """Chinese numeral for 1..10."""
    return CN_NUM[n] if n <= 10 else f"十{CN_NUM[n - 10]}"


@dataclass
class Text:
    """A clean text: title and body paragraphs; ``raw`` keeps seed watermarks if any."""

    id: str
    title: str
    paras: list[str]
    raw: list[str] | None = None
    copy_of: str | None = None
    edit: str | None = None


@dataclass
class Page:
    """One article page of a site."""

    site: str
    key: str
    title: str
    texts: list[str]
    style: str = "single"
    declared: int | None = None
    opts: dict[str, object] = field(default_factory=dict)


# ---------------------------------------------------------------- texts and copies


def load_texts(data: Path) -> dict[str, Text]:
    """Read data/texts and the seed (two variants)."""
    texts: dict[str, Text] = {}
    for p in sorted((data / "texts").glob("*.txt")):
        lines = [ln.strip() for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]
        texts[p.stem] = Text(p.stem, lines[0], lines[1:])
    seed = parse_seed(data / "seed" / SEED_NAME)
    for i, raw in enumerate(seed["variants"], 1):
        clean = [ln.replace(NUENIAN_WM, "") for ln in raw]
        texts[f"seed-{i}"] = Text(f"seed-{i}", f"{seed['title']}{i}", clean, raw=raw)
    return texts


def parse_seed(path: Path) -> dict:
    """Split the seed's visible text into its parts."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    title = lines[1]
    intro = lines[3]
    variants: list[list[str]] = []
    i = 4
    while not lines[i].startswith("版权声明"):
        if re.fullmatch(re.escape(title) + r"\d+", lines[i]):
            variants.append([])
        else:
            variants[-1].append(lines[i])
        i += 1
    return {
        "crumb": lines[0],
        "title": title,
        "intro": intro,
        "variants": variants,
        "copyright": lines[i],
        "address": lines[i + 1],
        "tail": lines[i + 2 :],
    }


def _drop(i: int) -> Callable[[list[str]], list[str]]:
    return lambda ps: ps[:i] + ps[i + 1 :]


def _replace(*pairs: tuple[str, str]) -> Callable[[list[str]], list[str]]:
    def f(ps: list[str]) -> list[str]:
        out = []
        for p in ps:
            for a, b in pairs:
                p = p.replace(a, b)
            out.append(p)
        return out

    return f


def _seed2_edit(ps: list[str]) -> list[str]:
    ps = _replace(("龙溪口", "石门口"))(ps)
    return [p for p in ps if not p.startswith("第三,深入开展")]


_JD2_ADDED = (
    "前不久,我们学校附近就破获了一起向中学生兜售所谓“神奇饮料”的案件,"
    "饮料里掺入了新型毒品。这件事提醒我们,毒品的伪装越来越隐蔽,"
    "我们一定要提高警惕,不给坏人任何可乘之机。"
)

# copy id -> (source id, edit kind, transform of the paragraphs)
COPIES: dict[str, tuple[str, str, Callable[[list[str]], list[str]]]] = {
    "gq-4-copy": ("gq-4", "exact", lambda ps: [p.translate(HALFWIDTH) for p in ps]),
    "nh-3-copy": ("nh-3", "exact", lambda ps: [p.translate(HALFWIDTH) for p in ps]),
    "kx-3-copy": ("kx-3", "exact", list),
    "jz-2-copy": ("jz-2", "exact", list),
    "jp-3-copy": ("jp-3", "exact", lambda ps: [p.translate(HALFWIDTH) for p in ps]),
    "aq-3-copy": ("aq-3", "exact", list),  # rendered with U+3000 indents
    "xf-3-copy": ("xf-3", "exact", list),  # rendered with U+3000 indents
    "seed-2-edit": ("seed-2", "edited", _seed2_edit),
    "by-2-edit": ("by-2", "edited", _drop(3)),
    "jd-2-edit": ("jd-2", "edited", lambda ps: ps[:4] + [_JD2_ADDED] + ps[4:]),
    "jp-1-edit": ("jp-1", "edited", _replace(("某某", "王立新"))),
    "aq-2-edit": ("aq-2", "edited", _replace(("我县", "我区"), ("全县", "全区"))),
    "js-3-trad": ("js-3", "traditional", lambda ps: [p.translate(TRAD) for p in ps]),
    "bz-2-trad": ("bz-2", "traditional", lambda ps: [p.translate(TRAD) for p in ps]),
    "hb-1-trad": ("hb-1", "traditional", lambda ps: [p.translate(TRAD) for p in ps]),
}


def add_copies(texts: dict[str, Text]) -> None:
    """Derive the copied and edited texts."""
    for cid, (src, kind, fn) in COPIES.items():
        s = texts[src]
        title = s.title.translate(TRAD) if kind == "traditional" else s.title
        texts[cid] = Text(cid, title, fn(list(s.paras)), copy_of=src, edit=kind)


# ---------------------------------------------------------------- page list

N, W, F = "nuenian", "wenmi", "fanwenku"
PAGES: list[Page] = [
    Page(N, SEED_HEX, "禁毒誓师大会上讲话", ["seed-1", "seed-2"], "num", opts={"seed": True}),
    Page(N, "", "国旗下讲话", ["gq-1", "gq-2", "gq-3"], "num", opts={"wm": True}),
    Page(N, "", "开学典礼致辞", ["kx-1", "kx-2"], "num", opts={"strong": True}),
    Page(N, "", "安全生产会议讲话", ["aq-1", "aq-2"], "pian_num", opts={"wm": True}),
    Page(N, "", "家长会发言稿", ["jz-1", "jz-2"], "num"),
    Page(N, "", "年会致辞", ["nh-1", "nh-2"], "pian_num", opts={"strong": True, "wm": True}),
    Page(N, "", "竞聘演讲稿", ["jp-1", "jp-2"], "num", opts={"intro2": True}),
    Page(N, "", "国际禁毒日宣传讲话", ["jd-1"], opts={"wm": True}),
    Page(N, "", "消防安全讲话", ["xf-1", "xf-2"], "num"),
    Page(N, "", "毕业典礼致辞", ["by-1"]),
    Page(N, "", "教师节讲话", ["js-1", "js-2"], "num", opts={"strong": True, "wm": True}),
    Page(N, "", "先进工作者表彰大会讲话", ["bz-1"], opts={"intro2": True}),
    Page(N, "", "环保主题国旗下讲话", ["gq-4-copy", "hb-1"], "num"),
    Page(N, "", "新春团拜会致辞", ["nh-3-copy"]),
    Page(N, "", "青年教师代表發言", ["js-3-trad"]),
    Page(N, "", "三好學生表彰大會發言", ["bz-2-trad"]),
    Page(N, "", "读书演讲稿", ["yj-1", "yj-3"], "pian_num", opts={"wm": True}),
    Page(N, "", "新员工入职欢迎致辞", ["xy-1"]),
    Page(W, "3101", "国旗下讲话稿(通用3篇)", ["gq-4", "gq-5", "gq-6"], "pian_sub", 3, {"wm": True}),
    Page(
        W,
        "3102",
        "开学典礼发言稿(精选3篇)",
        ["kx-3", "kx-4", "kx-5"],
        "fanwen",
        3,
        {"br": "<br>", "wm": True},
    ),
    Page(W, "3105", "竞聘演讲稿(精选2篇)", ["jp-3", "jp-4"], "dipian", 2),
    Page(W, "3107", "禁毒宣传讲话稿", ["jd-2"], opts={"wm": True}),
    Page(W, "3108", "禁毒工作会议讲话", ["seed-2-edit"], opts={"br": "<br/>"}),
    Page(
        W,
        "3110",
        "教师节发言稿(通用2篇)",
        ["js-3", "js-4"],
        "pian_sub",
        2,
        {"br": "<br/>", "wm": True},
    ),
    Page(W, "3111", "车间主任安全表态发言", ["aq-3-copy"], opts={"indent": True}),
    Page(W, "3113", "消防宣传月讲话稿", ["xf-3-copy"], opts={"br": "<br>", "indent": True}),
    Page(W, "3114", "毕业典礼教师发言", ["by-2-edit"], opts={"wm": True}),
    Page(W, "3116", "植樹節活動倡議講話", ["hb-1-trad"]),
    Page(
        W,
        "3117",
        "家长会发言稿(精选3篇)",
        ["jz-3", "jz-4", "jz-5"],
        "dipian",
        3,
        {"br": "<br/>", "wm": True},
    ),
    Page(W, "3119", "环保主题演讲稿(通用2篇)", ["hb-2", "hb-3"], "fanwen", 2, {"wm": True}),
    Page(W, "3120", "演讲比赛演讲稿", ["yj-2"], opts={"br": "<br>"}),
    Page(W, "3122", "培训开班讲话(精选2篇)", ["xy-2", "xf-4"], "pian_sub", 2, {"wm": True}),
    Page(
        W,
        "3123",
        "社区工作讲话稿(通用2篇)",
        ["jd-3", "xy-3"],
        "pian_sub",
        2,
        {"wm": True, "lie": True},
    ),
    Page(F, "5201", "年会致辞", ["nh-3", "nh-4", "nh-5"], "pian", opts={"pages": 2, "app": True}),
    Page(F, "5202", "安全生产讲话稿", ["aq-3", "aq-4", "aq-5"], "bracket", opts={"pages": 3}),
    Page(F, "5204", "消防安全讲话稿", ["xf-3"], opts={"paywall": True}),
    Page(
        F, "5205", "毕业典礼致辞", ["by-2", "by-3", "by-4"], "pian", opts={"pages": 2, "bold": True}
    ),
    Page(F, "5207", "三好学生表彰发言", ["bz-2"], opts={"app": True}),
    Page(F, "5208", "抗洪救灾表彰会讲话", ["bz-3"], opts={"app": True}),
    Page(F, "5210", "开学典礼学生代表发言", ["kx-3-copy"]),
    Page(F, "5211", "家长会家长代表发言", ["jz-2-copy"], opts={"paywall": True}),
    Page(F, "5213", "竞聘演讲稿", ["jp-3-copy", "jp-5"], "bracket"),
    Page(F, "5214", "竞聘办公室主任演讲稿", ["jp-1-edit"]),
    Page(F, "5216", "禁毒主题班会发言", ["jd-2-edit"], opts={"paywall": True}),
    Page(F, "5217", "安全生产月讲话", ["aq-2-edit"], opts={"app": True}),
    Page(F, "5219", "禁毒工作推进会讲话", ["jd-4"]),
]

# (site, position in that site's listing, path, kind, listing title)
BROKEN = [
    (N, 4, "/nuenian/fanwen/yanjiangzhici/{hex404}.html", "http_404", "国旗下讲话稿精选"),
    (N, 11, "/nuenian/fanwen/yanjiangzhici/{hextrunc}.html", "truncated", "消防安全讲话稿"),
    (W, 6, "/wenmi/a/3199.html", "empty", "安全生产讲话稿(通用2篇)"),
    (F, 5, "/fanwenku/yanjianggao/5299.html", "http_500", "表彰大会讲话稿"),
]

SITES = {
    N: {
        "start_path": "/nuenian/fanwen/yanjiangzhici/",
        "encoding": "utf-8",
        "category": "范文/演讲致辞",
        "per_page": 7,
    },
    W: {
        "start_path": "/wenmi/yanjiang/list_1.html",
        "encoding": "gbk",
        "category": "演讲稿/演讲致辞",
        "per_page": 6,
    },
    F: {
        "start_path": "/fanwenku/yanjianggao/",
        "encoding": "utf-8",
        "category": "演讲稿/演讲致辞",
        "per_page": 5,
    },
}
FLAKY_SOURCE = 17  # index in the nuenian pages served by /faults/flaky.html and slow.html


def hexkey(s: str) -> str:
    """Stable 32-hex page key."""
    return hashlib.md5(s.encode("utf-8")).hexdigest()


def page_date(site: str, i: int) -> str:
    """A fixed publication date per page."""
    base = {N: date(2023, 1, 9), W: date(2021, 10, 4), F: date(2024, 1, 8)}[site]
    return (base + timedelta(days=11 * i)).isoformat()


def article_path(p: Page) -> str:
    """URL path of a page."""
    if p.site == N:
        return f"/nuenian/fanwen/yanjiangzhici/{p.key}.html"
    if p.site == W:
        return f"/wenmi/a/{p.key}.html"
    return f"/fanwenku/yanjianggao/{p.key}.html"


def esc(s: str) -> str:
    """HTML-escape text content."""
    return html.escape(s, quote=False)


def heading(p: Page, i: int, t: Text) -> str | None:
    """Variant heading text for variant ``i`` (1-based), None for single-text pages."""
    return {
        "single": None,
        "num": f"{p.title}{i}",
        "pian_num": f"{p.title}篇{i}",
        "pian_sub": f"篇{cn(i)}:{t.title}",
        "fanwen": f"范文{cn(i)}",
        "dipian": f"第{cn(i)}篇:{t.title}",
        "pian": f"篇{cn(i)}",
        "bracket": f"【篇{cn(i)}】",
    }[p.style]


# ---------------------------------------------------------------- body blocks


@dataclass
class Block:
    """A line of the article body: a variant heading, a body paragraph or boilerplate."""

    kind: str  # "head", "para", "bp"
    text: str


def body_blocks(p: Page, texts: dict[str, Text]) -> tuple[list[Block], list[dict], list[str]]:
    """Body lines with watermarks glued in, the manifest variants and the boilerplate used."""
    blocks: list[Block] = []
    variants: list[dict] = []
    used: list[str] = []
    n = 0
    for vi, tid in enumerate(p.texts, 1):
        t = texts[tid]
        h = heading(p, vi, t)
        if h is not None:
            blocks.append(Block("head", h))
        shown = t.raw if (p.opts.get("seed") and t.raw) else t.paras
        for j, para in enumerate(shown):
            if p.opts.get("wm") and p.site == N and n % 5 == 3 and len(para) > 40:
                para += NUENIAN_WM
            if p.opts.get("wm") and p.site == W:
                if j == 2 and "。" in para[:-1]:
                    k = para.index("。") + 1
                    para = para[:k] + WENMI_WM_MID + para[k:]
                elif vi == 1 and j == len(shown) - 2:
                    para += WENMI_WM_END
            if p.opts.get("paywall") and vi == 1 and j == 3:
                blocks.append(Block("bp", PAYWALL))
            blocks.append(Block("para", para))
            n += 1
        variants.append(
            {
                "index": vi,
                "title": h or p.title,
                "text_id": tid,
                "first": t.paras[0],
                "last": t.paras[-1],
                "paragraphs": len(t.paras),
            }
        )
    flat = " ".join(b.text for b in blocks)
    for wm in (NUENIAN_WM, WENMI_WM_MID, WENMI_WM_END, PAYWALL):
        if wm in flat:
            used.append(wm)
    return blocks, variants, used


def split_points(blocks: list[Block], pages: int) -> list[int]:
    """Block indices where continuation pages start: mid-variant, between two paragraphs."""
    out = []
    for k in range(1, pages):
        target = len(blocks) * k // pages
        i = target
        while not (blocks[i].kind == "para" and blocks[i - 1].kind == "para"):
            i += 1
        out.append(i)
    return out


# ---------------------------------------------------------------- nuenian

NU_HEAD = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
    '<meta name="keywords" content="{kw}"></head><body>\n'
    '<div class="header"><a href="/nuenian/">怒年范文网</a>'
    ' <a href="/nuenian/fanwen/">范文</a>'
    ' <a href="/nuenian/fanwen/yanjiangzhici/">演讲致辞</a>'
    ' <a href="/nuenian/fanwen/">工作总结</a>'
    ' <a href="/nuenian/fanwen/">心得体会</a></div>\n'
)
NU_POS = (
    '<div class="position"><a href="/nuenian/">首页</a>&nbsp;&gt;&nbsp;'
    '<a href="/nuenian/fanwen/">范文</a>&nbsp;&gt;&nbsp;'
    '<a href="/nuenian/fanwen/yanjiangzhici/">演讲致辞</a></div>\n'
)
NU_FOOT = '<div class="footer"><p>怒年范文网(www.nuenian.com)版权所有 联系我们</p></div>\n'
NU_FOOT_TEXT = "怒年范文网(www.nuenian.com)版权所有 联系我们"
NU_COPYRIGHT = (
    "版权声明:此文自动收集于网络,若有来源错误或者侵犯您的合法权益,"
    "您可通过邮箱与我们取得联系,我们将及时进行处理。"
)


def render_nuenian(
    p: Page, idx: int, pages: list[Page], texts: dict[str, Text], seed: dict
) -> tuple[str, list[dict], list[str]]:
    """HTML of a nuenian article page, its variants and boilerplate."""
    blocks, variants, bp = body_blocks(p, texts)
    d = page_date(N, idx) if idx else "2023-05-12"
    if p.opts.get("seed"):
        intro, copyright_ = seed["intro"], seed["copyright"]
    elif p.opts.get("intro2"):
        intro, copyright_ = f"下面是小编为大家整理的{p.title},供大家参考。", NU_COPYRIGHT
    else:
        intro = f"下面是查字典范文网小编给大家整理收集的{p.title},欢迎阅读参考。"
        copyright_ = NU_COPYRIGHT
    address = f"本文地址:https://www.nuenian.com/fanwen/yanjiangzhici/{p.key}.html"
    info = f"时间:{d} 来源:网络"
    out = [
        NU_HEAD.format(title=esc(f"{p.title}_演讲致辞_怒年范文网"), kw=esc(p.title)),
        NU_POS,
        f'<div class="article"><h1>{esc(p.title)}</h1><div class="info">{info}</div>\n',
        '<div class="content">\n',
        f"<p>{esc(intro)}</p>\n",
    ]
    for b in blocks:
        if b.kind == "head":
            out.append(
                f"<p><strong>{esc(b.text)}</strong></p>\n"
                if p.opts.get("strong")
                else f"<h2>{esc(b.text)}</h2>\n"
            )
        else:
            out.append(f"<p>{esc(b.text)}</p>\n")
    out.append("</div>\n")
    out.append(f'<div class="copyright"><p>{esc(copyright_)}</p><p>{esc(address)}</p></div>\n')
    n = len(pages)

    def link(j: int) -> str:
        q = pages[j % n]
        return f'<a href="{article_path(q)}">{esc(q.title)}</a>'

    prev = link(idx - 1) if idx > 0 else "没有了"
    nxt = link(idx + 1) if idx < n - 1 else "没有了"
    out.append(f'<div class="prenext">上一篇:{prev} 下一篇:{nxt}</div>\n')
    out.append(
        '<div class="related"><h3>相关内容</h3><ul>'
        + "".join(f"<li>{link(idx + k)}</li>" for k in (2, 3, 5, 7))
        + "</ul>"
    )
    out.append(
        "<h3>热门阅读</h3><ul>"
        + "".join(f"<li>{link(j)}</li>" for j in (1, 4, 9) if j != idx)
        + "</ul>"
    )
    out.append(
        "<h3>随机推荐</h3><ul>"
        + "".join(f"<li>{link(idx * 7 + k)}</li>" for k in (3, 8))
        + "</ul></div>\n"
    )
    out.append("</div>" + NU_FOOT + "</body></html>\n")
    boiler = [
        intro,
        *bp,
        copyright_,
        address,
        info,
        "相关内容",
        "热门阅读",
        "随机推荐",
        NU_FOOT_TEXT,
    ]
    return "".join(out), variants, boiler


def nuenian_listing(entries: list[tuple[str, str, str]], page: int, total: int) -> str:
    """A nuenian listing page; entries are (path, title, date)."""

    def lp(k: int) -> str:
        return "/nuenian/fanwen/yanjiangzhici/" if k == 1 else f"list_{k}.html"

    items = "".join(
        f'<li><a href="{path}" title="{esc(t)}">{esc(t)}</a><span>{d}</span></li>\n'
        for path, t, d in entries
    )
    nav = [f'<a href="{lp(k)}">{k}</a>' for k in range(1, total + 1) if k != page]
    if page > 1:
        nav.append(f'<a href="{lp(page - 1)}">上一页</a>')
    if page < total:
        nav.append(f'<a href="{lp(page + 1)}">下一页</a>')
    return (
        NU_HEAD.format(title="演讲致辞_怒年范文网", kw="演讲致辞")
        + NU_POS
        + f'<div class="list"><h1>演讲致辞</h1><ul>\n{items}</ul></div>\n'
        + f'<div class="pages">{" ".join(nav)}</div>\n'
        + NU_FOOT
        + "</body></html>\n"
    )


# ---------------------------------------------------------------- wenmi

WM_HEAD = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml"><head>\n'
    '<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
    "<title>{title}</title></head>\n<body>\n"
    '<table class="top" width="960" border="0" cellspacing="0" cellpadding="0"><tr>'
    '<td class="logo"><a href="/wenmi/">文秘网</a></td><td class="nav">'
    '<a href="/wenmi/">首页</a> | <a href="/wenmi/yanjiang/list_1.html">演讲稿</a> | '
    '<a href="/wenmi/">工作总结</a></td></tr></table>\n'
    '<div class="crumbs">您现在的位置:<a href="/wenmi/">首页</a> &gt; '
    '<a href="/wenmi/yanjiang/list_1.html">演讲稿</a> &gt; '
    '<a href="/wenmi/yanjiang/list_1.html">演讲致辞</a></div>\n'
)
WM_CRUMB_TEXT = "您现在的位置:首页 > 演讲稿 > 演讲致辞"
WM_FOOT = (
    '<div class="footer">Copyright &copy; 文秘网 版权所有<br />'
    "本站内容来源于网络,如有侵权请联系删除</div>\n</body></html>\n"
)
WM_FOOT_TEXT = ["Copyright © 文秘网 版权所有", "本站内容来源于网络,如有侵权请联系删除"]
WM_MORE = "更多文章尽在文秘网"
THEME_RE = re.compile(r"[((].*$")


def render_wenmi(
    p: Page, idx: int, pages: list[Page], texts: dict[str, Text]
) -> tuple[str, list[dict], list[str]]:
    """HTML (str, to be GBK-encoded) of a wenmi article page."""
    blocks, variants, bp = body_blocks(p, texts)
    d = page_date(W, idx)
    intro = f"以下是小编为大家收集的{p.title},仅供参考,大家一起来看看吧。"
    info = f"发布时间:{d} 栏目:演讲致辞"
    theme = THEME_RE.sub("", p.title)
    rel_head = f"【{theme}】相关文章:"
    rel = [pages[(idx + k) % len(pages)] for k in (1, 2, 4)]
    rel_lines = [(article_path(q), q.title, page_date(W, pages.index(q))) for q in rel]
    indent = "\u3000\u3000" if p.opts.get("indent") else ""
    br = p.opts.get("br")
    charset = "utf-8" if p.opts.get("lie") else "gb2312"
    out = [
        WM_HEAD.format(charset=charset, title=esc(f"{p.title} - 文秘网")),
        '<table width="960" border="0"><tr><td class="main" valign="top">\n',
        f'<div class="title"><h1>{esc(p.title)}</h1></div>\n',
        f'<div class="info">{info}</div>\n<div id="article">\n',
    ]
    if br:
        lines = [esc(intro), ""]
        for b in blocks:
            lines.append(f"<b>{esc(b.text)}</b>" if b.kind == "head" else indent + esc(b.text))
        lines += ["", esc(rel_head)]
        lines += [f'<a href="{u}">{esc(t)}</a> {dd}' for u, t, dd in rel_lines]
        lines.append(WM_MORE)
        out.append('<div class="content">' + f"{br}\n".join(lines) + "</div>\n")
    else:
        out.append(f"<p>{esc(intro)}</p>\n")
        for b in blocks:
            out.append(
                f"<p><strong>{esc(b.text)}</strong></p>\n"
                if b.kind == "head"
                else f"<p>{indent}{esc(b.text)}</p>\n"
            )
        out.append(f"<p>{esc(rel_head)}</p>\n")
        out += [f'<p><a href="{u}">{esc(t)}</a> {dd}</p>\n' for u, t, dd in rel_lines]
        out.append(f"<p>{WM_MORE}</p>\n")
    out.append(
        '</div>\n</td><td class="side" valign="top"><div class="hot">热门演讲稿</div>'
        "</td></tr></table>\n" + WM_FOOT
    )
    boiler = [
        intro,
        *bp,
        rel_head,
        *[f"{t} {dd}" for _, t, dd in rel_lines],
        WM_MORE,
        info,
        WM_CRUMB_TEXT,
        *WM_FOOT_TEXT,
    ]
    return "".join(out), variants, boiler


def wenmi_listing(entries: list[tuple[str, str, str]], page: int, total: int) -> str:
    """A wenmi listing page."""
    items = "".join(
        f'<li><span class="date">{d}</span><a href="{path}" target="_blank">{esc(t)}</a></li>\n'
        for path, t, d in entries
    )
    nav = [f'<a href="list_{page - 1}.html">上一页</a>'] if page > 1 else []
    nav += [
        f'<a href="list_{k}.html">{k}</a>' if k != page else f"<b>{k}</b>"
        for k in range(1, total + 1)
    ]
    if page < total:
        nav.append(f'<a href="list_{page + 1}.html">下一页</a>')
    return (
        WM_HEAD.format(charset="gb2312", title="演讲致辞 - 文秘网")
        + f'<table width="960"><tr><td class="main"><ul class="list">\n{items}</ul>\n'
        + f'<div class="pagelist">{" ".join(nav)}</div></td></tr></table>\n'
        + WM_FOOT
    )


# ---------------------------------------------------------------- fanwenku

FK_HEAD = (
    '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>{title}</title>\n</head>\n<body>\n"
    '<header class="top"><a class="logo" href="/fanwenku/">范文库</a><nav>'
    '<a href="/fanwenku/yanjianggao/">演讲稿</a> <a href="/fanwenku/">工作计划</a></nav>'
    "</header>\n"
    '<div class="breadcrumb">当前位置:<a href="/fanwenku/">首页</a> » '
    '<a href="/fanwenku/yanjianggao/">演讲稿</a> » <a href="/fanwenku/yanjianggao/">'
    "演讲致辞</a></div>\n"
)
FK_CRUMB_TEXT = "当前位置:首页 » 演讲稿 » 演讲致辞"
FK_COMMENT = "网友评论(0) 看完本文,你有什么想说的?欢迎留言评论。"
FK_FOOT = '<footer class="foot">范文库 版权所有 | 关于我们 | 联系方式</footer>\n</body>\n</html>\n'
FK_FOOT_TEXT = "范文库 版权所有 | 关于我们 | 联系方式"


def render_fanwenku(
    p: Page, idx: int, texts: dict[str, Text]
) -> tuple[list[str], list[dict], list[str]]:
    """HTML of a fanwenku article and its continuation pages."""
    blocks, variants, bp = body_blocks(p, texts)
    npages = int(p.opts.get("pages", 1))  # type: ignore[call-overload]
    cuts = [0, *split_points(blocks, npages), len(blocks)]
    meta = f"时间:{page_date(F, idx)} 作者:佚名 我要投稿"
    total = sum(len(b.text) for b in blocks if b.kind == "para")
    boiler = [*bp, meta, FK_CRUMB_TEXT, FK_COMMENT, FK_FOOT_TEXT, FANWENKU_SOURCE]
    if p.opts.get("app"):
        boiler.append(FANWENKU_APP)
    docs = []
    for k in range(npages):
        part = blocks[cuts[k] : cuts[k + 1]]
        body = []
        for b in part:
            if b.kind == "head":
                body.append(
                    f"<p><b>{esc(b.text)}</b></p>\n"
                    if p.opts.get("bold")
                    else f"<p>{esc(b.text)}</p>\n"
                )
            else:
                body.append(f"<p>{esc(b.text)}</p>\n")
        if k == 0 and npages > 1:
            shown = sum(len(b.text) for b in part if b.kind == "para")
            more = f"(未完,全文共{total}字,当前显示{shown}字)"
            body.append(f'<p class="more">{more}</p>\n')
            boiler.append(more)
        if k == npages - 1:
            body.append(f"<p>{FANWENKU_SOURCE}</p>\n")
            if p.opts.get("app"):
                body.append(f'<p class="app">{FANWENKU_APP}</p>\n')
        pager = ""
        if npages > 1:

            def name(j: int) -> str:
                return f"{p.key}.html" if j == 0 else f"{p.key}_{j + 1}.html"

            links = [f'<a href="{name(k - 1)}">上一页</a>'] if k > 0 else []
            links += [f'<a href="{name(j)}">{j + 1}</a>' for j in range(npages)]
            if k < npages - 1:
                links.append(f'<a href="{name(k + 1)}">下一页</a>')
            pager = f'<div class="pager">{"".join(links)}</div>\n'
        docs.append(
            FK_HEAD.format(title=esc(f"{p.title} - 范文库"))
            + f'<main class="main">\n<h1 class="art-title">{esc(p.title)}</h1>\n'
            + f'<div class="meta">{meta}</div>\n<div class="art-body">\n'
            + "".join(body)
            + "</div>\n"
            + pager
            + f'<div class="comments">{FK_COMMENT}</div>\n</main>\n'
            + FK_FOOT
        )
    return docs, variants, boiler


def fanwenku_listing(entries: list[tuple[str, str, str]], page: int, total: int) -> str:
    """A fanwenku listing page (article links relative)."""

    def lp(k: int) -> str:
        return "/fanwenku/yanjianggao/" if k == 1 else f"index_{k}.html"

    items = "".join(
        f'<li><a href="{path.rsplit("/", 1)[1]}">{esc(t)}</a><time>{d}</time></li>\n'
        for path, t, d in entries
    )
    nav = [f'<a href="{lp(page - 1)}">上一页</a>'] if page > 1 else []
    nav += [f'<a href="{lp(k)}">{k}</a>' for k in range(1, total + 1)]
    if page < total:
        nav.append(f'<a href="{lp(page + 1)}">下一页</a>')
    return (
        FK_HEAD.format(title="演讲稿 - 范文库")
        + f'<main class="main"><ul class="art-list">\n{items}</ul>\n'
        + f'<div class="pager">{"".join(nav)}</div></main>\n'
        + FK_FOOT
    )


# ---------------------------------------------------------------- build


def hub(title: str, links: list[tuple[str, str]], charset: str = "utf-8") -> str:
    """A small home page linking to the category."""
    items = "".join(f'<li><a href="{u}">{esc(t)}</a></li>' for u, t in links)
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{esc(title)}</title>'
        f"</head><body><h1>{esc(title)}</h1><ul>{items}</ul></body></html>\n"
    )


def page_text(html_text: str) -> str:
    """Visible text of a page, for the build's own checks."""
    s = re.sub(r"<br\s*/?>|</p>|</li>|</h\d>|</div>", "\n", html_text)
    return html.unescape(re.sub(r"<[^>]+>", "", s))


def build(out: Path, data: Path = DATA) -> dict:
    """Write the replica into ``out`` (replaced) and return the manifest."""
    texts = load_texts(data)
    add_copies(texts)
    seed = parse_seed(data / "seed" / SEED_NAME)
    files: dict[str, bytes] = {}
    articles: list[dict] = []
    listings: dict[str, list[tuple[str, str, str]]] = {N: [], W: [], F: []}
    nu_pages = [p for p in PAGES if p.site == N]
    for i, p in enumerate(nu_pages):
        if not p.key:
            p.key = hexkey(f"nuenian/{i}/{p.title}")
    used_texts: set[str] = set()
    recoverable = []
    for site in (N, W, F):
        site_pages = [p for p in PAGES if p.site == site]
        for i, p in enumerate(site_pages):
            path = article_path(p)
            conts: list[str] = []
            if site == N:
                doc, variants, boiler = render_nuenian(p, i, site_pages, texts, seed)
                files[path] = doc.encode("utf-8")
                d = page_date(N, i) if i else "2023-05-12"
            elif site == W:
                doc, variants, boiler = render_wenmi(p, i, site_pages, texts)
                files[path] = doc.encode("gbk")
                d = page_date(W, i)
            else:
                docs, variants, boiler = render_fanwenku(p, i, texts)
                files[path] = docs[0].encode("utf-8")
                for k, extra in enumerate(docs[1:], 2):
                    cpath = path[:-5] + f"_{k}.html"
                    files[cpath] = extra.encode("utf-8")
                    conts.append(cpath)
                d = page_date(F, i)
            used_texts.update(p.texts)
            entry = {
                "path": path,
                "site": site,
                "title": p.title,
                "category": SITES[site]["category"],
                "date": d,
                "encoding": SITES[site]["encoding"],
                "declared_count": p.declared,
                "continuation_paths": conts,
                "variants": variants,
                "boilerplate": list(dict.fromkeys(boiler)),
            }
            if p.opts.get("lie"):
                entry["declared_encoding"] = "utf-8"
                recoverable.append({"path": path, "kind": "charset_mismatch", "article": entry})
            articles.append(entry)
            listings[site].append((path, p.title, d))
    # broken pages
    broken = []
    for site, pos, tmpl, kind, title in BROKEN:
        path = tmpl.format(hex404=hexkey("nuenian/missing"), hextrunc=hexkey("nuenian/trunc"))
        if kind == "empty":
            files[path] = b""
        elif kind == "truncated":
            doc = render_nuenian(Page(N, path[-37:-5], title, ["xf-4"]), 3, nu_pages, texts, seed)[
                0
            ].encode("utf-8")
            cut = (
                doc.index(b'<div class="header">')
                + len('<div class="header"><a href="/nuenian/">怒'.encode())
                + 1
            )
            files[path] = doc[:cut]
        listings[site].insert(pos, (path, title, listings[site][pos][2]))
        broken.append({"path": path, "kind": kind, "site": site})
    # listings
    site_meta = {}
    for site, entries in listings.items():
        per = int(SITES[site]["per_page"])
        chunks = [entries[k : k + per] for k in range(0, len(entries), per)]
        paths = []
        for k, chunk in enumerate(chunks, 1):
            if site == N:
                lpath = "/nuenian/fanwen/yanjiangzhici/" + (
                    "index.html" if k == 1 else f"list_{k}.html"
                )
                files[lpath] = nuenian_listing(chunk, k, len(chunks)).encode("utf-8")
            elif site == W:
                lpath = f"/wenmi/yanjiang/list_{k}.html"
                files[lpath] = wenmi_listing(chunk, k, len(chunks)).encode("gbk")
            else:
                lpath = "/fanwenku/yanjianggao/" + ("index.html" if k == 1 else f"index_{k}.html")
                files[lpath] = fanwenku_listing(chunk, k, len(chunks)).encode("utf-8")
            paths.append(lpath.removesuffix("index.html"))
        meta = {k: v for k, v in SITES[site].items() if k != "per_page"}
        site_meta[site] = {**meta, "listing_paths": paths}
    files["/nuenian/index.html"] = hub("怒年范文网", [("/nuenian/fanwen/", "范文")]).encode()
    files["/nuenian/fanwen/index.html"] = hub(
        "范文_怒年范文网", [("/nuenian/fanwen/yanjiangzhici/", "演讲致辞")]
    ).encode()
    files["/wenmi/index.html"] = hub(
        "文秘网", [("/wenmi/yanjiang/list_1.html", "演讲稿")], "gb2312"
    ).encode("gbk")
    files["/fanwenku/index.html"] = hub("范文库", [("/fanwenku/yanjianggao/", "演讲稿")]).encode()
    files["/robots.txt"] = b"User-agent: *\nDisallow: /private/\n"
    files["/index.html"] = hub(
        "replica", [(site_meta[s]["start_path"], s) for s in (N, W, F)]
    ).encode()
    manifest = {
        "sites": site_meta,
        "articles": articles,
        "texts": {
            tid: {"title": texts[tid].title, "copy_of": texts[tid].copy_of, "edit": texts[tid].edit}
            for tid in sorted(used_texts)
        },
        "broken": broken,
        "recoverable": recoverable,
        "faults": [
            {
                "path": "/faults/flaky.html",
                "kind": "flaky",
                "failures": 2,
                "serves": article_path(nu_pages[FLAKY_SOURCE]),
            },
            {
                "path": "/faults/slow.html",
                "kind": "slow",
                "default_seconds": 5,
                "serves": article_path(nu_pages[FLAKY_SOURCE]),
            },
            {"path": "/faults/loop.html", "kind": "redirect_loop"},
            {"path": "/faults/loop2.html", "kind": "redirect_loop"},
            {"path": "/faults/binary.pdf", "kind": "binary"},
            {"path": "/faults/huge.html", "kind": "huge", "bytes": 20 * 1024 * 1024},
        ],
    }
    check(manifest, files, texts)
    files["/manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode()
    if out.exists():
        shutil.rmtree(out)
    for path, data_ in sorted(files.items()):
        target = out / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data_)
    return manifest


def check(manifest: dict, files: dict[str, bytes], texts: dict[str, Text]) -> None:
    """Self-checks: body and boilerplate on the pages, boilerplate never in a clean text."""
    clean = "\n".join(p for t in texts.values() for p in t.paras)
    for a in manifest["articles"]:
        enc = "gbk" if a["encoding"] == "gbk" else "utf-8"
        text = "".join(
            page_text(files[q].decode(enc)) for q in [a["path"], *a["continuation_paths"]]
        )
        for s in a["boilerplate"]:
            assert s in text, (a["path"], s)
            assert s not in clean, (a["path"], s)
        for v in a["variants"]:
            assert v["first"] in text and v["last"] in text, (a["path"], v["index"])
            n = len(texts[v["text_id"]].paras)
            assert n == v["paragraphs"], (a["path"], v)
            assert n >= 4 and (
                300 <= sum(map(len, texts[v["text_id"]].paras)) <= 1500
                or v["text_id"].startswith("seed")
            ), v["text_id"]
    copies = [t for t in manifest["texts"].values() if t["copy_of"]]
    assert sum(t["edit"] == "exact" for t in copies) >= 6
    assert sum(t["edit"] != "exact" for t in copies) >= 6


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DATA / "replica")
    args = ap.parse_args(argv)
    m = build(args.out)
    print(f"replica: {len(m['articles'])} articles, {len(m['texts'])} texts -> {args.out}")


if __name__ == "__main__":
    main()
