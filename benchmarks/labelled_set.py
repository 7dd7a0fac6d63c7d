"""Generator of the labelled extraction set (``data/labelled/``): pages and their truth.

Usage: ``python benchmarks/labelled_set.py [--out DIR]`` (deterministic: same bytes each run).

Bodies are the team's own texts (``data/texts/``); every boilerplate string, layout and
slogan below is written for this set. Seven layouts, one invented site each, nine pages
per site: different containers and class names, ``<p>`` vs ``<br>`` vs ``<div>`` paragraphs,
a table layout, a forum post with jammer strings, GBK and GB18030 bytes, a traditional-
character site. Each page mixes a variant style, boilerplate inside and around the body,
watermarks glued into sentences and one line peculiar to its site (only learnable by
repetition).

``labels.json`` holds one record per page: ``file``, ``url``, ``site``, ``layout``,
``encoding``, ``title``, ``category``, ``declared`` (the count a title declares, or null),
``variants`` (``title``, ``paragraphs``: the clean body, ``first``/``last``: its first and
last 12 characters) and ``boilerplate`` (every non-body string shown on the page).
"""

from __future__ import annotations

import argparse
import html
import json
import random
import zlib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEXTS = REPO / "data" / "texts"
OUT = REPO / "data" / "labelled"
PAGES_PER_SITE = 9
CN = "零一二三四五六七八九十"

THEMES = {
    "aq": ("安全生产讲话稿", "讲话稿"),
    "by": ("毕业典礼致辞", "致辞"),
    "bz": ("表彰大会讲话", "讲话稿"),
    "gq": ("国旗下讲话稿", "演讲稿"),
    "hb": ("环保主题演讲稿", "演讲稿"),
    "jd": ("禁毒宣传讲话", "讲话稿"),
    "jp": ("竞聘演讲稿", "演讲稿"),
    "js": ("教师节讲话稿", "讲话稿"),
    "jz": ("家长会发言稿", "发言稿"),
    "kx": ("开学典礼致辞", "致辞"),
    "nh": ("年会致辞", "致辞"),
    "xf": ("消防安全讲话", "讲话稿"),
    "xy": ("新员工欢迎致辞", "致辞"),
    "yj": ("主题演讲稿", "演讲稿"),
}

# Editor intros: {t} is the article title, {s} the site's name.
INTROS = [
    "下面是{s}小编为大家整理的{t},欢迎阅读参考。",
    "以下是小编为大家收集的{t},仅供参考,希望能够帮助到大家。",
    "{t}怎么写?下面是小编精心整理的{t},供大家参考借鉴,希望可以帮助到有需要的朋友。",
    "为大家精选了{t},欢迎大家阅读与收藏,更多文章尽在{s}。",
    "这里给大家分享一些关于{t}的范文,希望对大家有所帮助,欢迎阅读参考。",
]
RELATED_HEADS = ["【{c}】相关文章:", "相关文章:", "相关推荐", "猜你喜欢:", "热门文章"]
RELATED_TITLES = [
    "新学期国旗下讲话稿",
    "年度工作总结大会发言",
    "企业年会主持词开场白",
    "廉政教育专题讲话",
    "学生会竞选演讲稿",
    "班主任工作经验交流发言",
    "防溺水安全教育讲话",
    "读书节活动致辞",
]
COPYRIGHTS = [
    "版权声明:本站文章均来自网络,如有侵权请联系删除。",
    "本站部分内容来源于网络,版权归原作者所有,如有侵权请联系我们处理。",
    "Copyright © 2015-2024 {s} 版权所有",
    "转载请注明出处:{s}",
]
SOURCE_LINES = ["出处:{s}", "本文地址:{u}", "原文链接:{u}", "来源:{s}整理"]
APP_FOOTERS = ["下载APP,阅读全文更方便", "扫码下载{s}APP,海量范文随身看", "点击下载本文档"]
COMMENT_FOOTERS = ["网友评论(0)", "发表评论", "我来说两句"]
PAYWALLS = [
    "……此处隐藏{n}个字……",
    "试读结束,下载完整文档请登录会员",
    "(未完,全文共{n}字,当前显示{m}字)",
]
LEAKED_CSS = [
    ".content p{text-indent:2em;line-height:1.8;}",
    "#article img{max-width:100%;height:auto}",
]
JAMMERS = ["a8Kd3f", "9xQz7w", "TbP42m", "q3Lr8v"]

SITES = [
    # name, layout, encoding, traditional, slogan line only this site shows
    ("haofanwen", "divp", "utf-8", False, "好范文,伴你成长每一天"),
    ("wenmitiandi", "table_br", "gbk", False, "文秘天地·公文写作好帮手"),
    ("fanwenwang-tw", "trad_article", "utf-8", True, "每日更新優質範文,敬請持續關注"),
    ("xiaoyuan-bbs", "forum", "utf-8", False, "校园文学社区,让写作更有温度"),
    ("jingxuan", "section_div", "utf-8", False, "精选范文库 全站内容持续更新中"),
    ("laofanwen", "font_br", "gb18030", False, "老范文网十年如一日为您服务"),
    ("m-fanwen", "mobile", "utf-8", False, "手机阅读更流畅,随时随地学写作"),
]
SITE_NAMES = {
    "haofanwen": "好范文网",
    "wenmitiandi": "文秘天地网",
    "fanwenwang-tw": "範文網",
    "xiaoyuan-bbs": "校园写作论坛",
    "jingxuan": "精选范文网",
    "laofanwen": "老范文网",
    "m-fanwen": "第一范文网",
}
TITLE_SUFFIXES = [" - {s}", "_{s}", "_{c}_{s}", " | {s}"]

# Variant heading styles: f(stem, n, own title) -> heading (None: fused to the salutation).
STYLES: dict[str, Callable[[str, int, str], str | None]] = {
    "num": lambda s, n, v: f"{s}{n}",
    "pian_num": lambda s, n, v: f"{s}篇{n}",
    "space_pian": lambda s, n, v: f"{s} 篇{n}",
    "pian_cn": lambda s, n, v: f"篇{CN[n]}",
    "pian_cn_sub": lambda s, n, v: f"篇{CN[n]}:{v}",
    "di_pian_sub": lambda s, n, v: f"第{CN[n]}篇:{v}",
    "num_sub_pian": lambda s, n, v: f"{n}.{v} 篇{CN[n]}",
    "bracket_stem": lambda s, n, v: f"【{s}{CN[n]}】",
    "bracket_fanli": lambda s, n, v: f"【範例{CN[n]}】",
    "paren_cn": lambda s, n, v: f"{s}({CN[n]})",
    "fanwen_cn": lambda s, n, v: f"范文{CN[n]}",
    "fused": lambda s, n, v: None,
}
DECLARED = ["(通用{k}篇)", "(精选{k}篇)", "(汇总{k}篇)", "集锦{K}篇", "({k}篇)", ""]


def read_texts() -> dict[str, list[tuple[str, list[str]]]]:
    """Texts by theme: (own title, body paragraphs)."""
    themes: dict[str, list[tuple[str, list[str]]]] = {}
    for path in sorted(TEXTS.glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        lines = [ln for ln in lines if ln]
        themes.setdefault(path.stem.split("-")[0], []).append((lines[0], lines[1:]))
    return themes


def to_traditional(text: str) -> str:
    from opencc import OpenCC  # bench extra: only needed to regenerate the set

    return OpenCC("s2t").convert(text)


class Page:
    """One page being composed: body blocks in order, and its labels."""

    def __init__(self, rng: random.Random, site: str, layout: str, trad: bool) -> None:
        self.rng, self.site, self.layout, self.trad = rng, site, layout, trad
        self.name = SITE_NAMES[site]
        self.boilerplate: list[str] = []

    def bp(self, text: str) -> str:
        self.boilerplate.append(text)
        return text


def compose(
    rng: random.Random, site: str, layout: str, trad: bool, slogan: str, number: int, themes: dict
) -> tuple[str, dict]:
    page = Page(rng, site, layout, trad)
    theme = rng.choice(sorted(themes))
    base_title, genre = THEMES[theme]
    pool = list(themes[theme])
    rng.shuffle(pool)
    count = rng.choice([1, 1, 2, 2, 3, 3, 4])
    count = min(count, len(pool))
    chosen = pool[:count]
    # Styles go round per site so that every site shows many; 範例 only on traditional pages.
    styles = [s for s in sorted(STYLES) if trad or s != "bracket_fanli"]
    style = styles[(number * 5 + len(site)) % len(styles)] if count > 1 else ""
    declared = None
    title = base_title
    if count > 1 and rng.random() < 0.6:
        form = rng.choice(DECLARED)
        if form:
            declared = count + (rng.choice([0, 0, 0, 2]))
            title = base_title + form.format(
                k=declared, K=CN[declared] if declared <= 10 else declared
            )
    if count == 1:
        title = chosen[0][0] if rng.random() < 0.5 else base_title
    stem = base_title
    category = f"范文/{genre}"
    folder = rng.choice(["a", "fanwen/" + theme, "html"])
    url = f"http://{site}.example/{folder}/{1000 + number * 7}.html"

    # Body: variants as (heading or None, paragraphs as shown, clean paragraphs).
    variants = []
    for n, (own, paragraphs) in enumerate(chosen, start=1):
        heading = STYLES[style](stem, n, own) if style else None
        clean = list(paragraphs)
        vtitle = heading if style else title
        if style == "fused":
            vtitle = f"{stem}{n}"
        variants.append({"heading": heading, "title": vtitle, "paragraphs": clean})

    def tr(text: str) -> str:
        return to_traditional(text) if trad else text

    # Labels (after conversion to traditional where the site is).
    title_t, category_t = tr(title), tr(category)
    label_variants = []
    for v in variants:
        ps = [tr(p) for p in v["paragraphs"]]
        label_variants.append({"title": tr(v["title"]), "paragraphs": ps})
    name = page.name
    fmt = {"t": title_t, "s": name, "c": category_t.split("/")[-1], "u": url}

    # Boilerplate to place inside the body container.
    intro = page.bp(tr(rng.choice(INTROS).format(**{**fmt, "t": title})))
    meta = page.bp(tr(f"时间:2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 来源:{name} 我要投稿"))
    site_line = page.bp(tr(slogan))
    tail = []
    if rng.random() < 0.5:
        tail.append(page.bp(tr(rng.choice(SOURCE_LINES)).format(**fmt)))
    tail.append(page.bp(tr(rng.choice(COPYRIGHTS)).format(**fmt)))
    paywall = None
    if rng.random() < 0.3:
        n_hidden = rng.randint(800, 3000)
        paywall = page.bp(tr(rng.choice(PAYWALLS)).format(n=n_hidden + 1200, m=1200))
    css = page.bp(rng.choice(LEAKED_CSS)) if rng.random() < 0.25 else None
    related_head = page.bp(tr(rng.choice(RELATED_HEADS).format(c=fmt["c"])))
    related = []
    for rel in rng.sample(RELATED_TITLES, 4):
        related.append(page.bp(f"{tr(rel)} 2023-{rng.randint(10, 12)}-{rng.randint(10, 28)}"))
    prev_next = [
        page.bp(tr("上一篇:") + tr(rng.choice(RELATED_TITLES))),
        page.bp(tr("下一篇:") + tr(rng.choice(RELATED_TITLES))),
    ]
    footer = [
        page.bp(tr(rng.choice(APP_FOOTERS)).format(**fmt)),
        page.bp(tr(rng.choice(COMMENT_FOOTERS))),
    ]

    # Watermarks inside sentences: the shown paragraph differs, the clean one does not.
    watermark = tr(f"({name}收集整理)")
    shown_variants = []
    for v in label_variants:
        shown = []
        for p in v["paragraphs"]:
            roll = rng.random()
            if roll < 0.12 and "。" in p[:-1]:
                cut = p.index("。") + 1
                p = p[:cut] + page.bp(watermark) + p[cut:]
            elif roll < 0.2 and len(p) > 20:
                k = rng.randint(3, min(15, len(p) - 3))
                if "\u4e00" <= p[k - 1] <= "\u9fff" and "\u4e00" <= p[k] <= "\u9fff":
                    p = p[:k] + rng.choice([".", "'"]) + p[k:]
            elif roll < 0.28 and layout == "forum" and len(p) > 20:
                k = rng.randint(5, len(p) - 5)
                p = p[:k] + "\x00JAM" + rng.choice(JAMMERS) + "\x00" + p[k:]
            shown.append(p)
        shown_variants.append(shown)
    for shown in shown_variants:
        for p in shown:
            if "\x00JAM" in p:
                page.boilerplate.extend(
                    part[3:] for part in p.split("\x00") if part.startswith("JAM")
                )

    # Body items in order: ("p", text) plain paragraph, ("h", text) variant heading.
    body: list[tuple[str, str]] = [("p", meta), ("p", intro)]
    for n, (v, shown) in enumerate(zip(variants, shown_variants, strict=True), start=1):
        if style == "fused":
            body.append(("p", tr(f"{stem}{n}") + shown[0]))
            shown = shown[1:]
        elif v["heading"]:
            body.append(("h", tr(v["heading"])))
        body.extend(("p", p) for p in shown)
    if paywall:
        body.append(("p", paywall))
    if css:
        body.insert(rng.randint(2, 3), ("p", css))
    body.append(("p", site_line))
    body.extend(("p", t) for t in tail)
    if rng.random() < 0.5:
        body.extend(("p", t) for t in [related_head, *related])
        outside_related = []
    else:
        outside_related = [related_head, *related]

    crumb = [tr("首页"), *category_t.split("/")]
    html_title = title_t + rng.choice(TITLE_SUFFIXES).format(s=name, c=fmt["c"])
    render = LAYOUTS[layout]
    document = render(
        title=title_t,
        html_title=html_title,
        crumb=crumb,
        body=body,
        prev_next=prev_next,
        related=outside_related,
        footer=footer,
        name=name,
        rng=rng,
        tr=tr,
    )
    label = {
        "url": url,
        "site": site,
        "layout": layout,
        "title": title_t,
        "category": category_t,
        "declared": declared,
        "variant_style": style or "single",
        "variants": [
            {**v, "first": "".join(v["paragraphs"])[:12], "last": "".join(v["paragraphs"])[-12:]}
            for v in label_variants
        ],
        "boilerplate": sorted(set(page.boilerplate)),
    }
    return document, label


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def inline(text: str, layout: str, rng: random.Random) -> str:
    """Escape a paragraph; forum jammers become hidden elements, as forums inject them."""
    out = []
    for part in text.split("\x00"):
        if part.startswith("JAM"):
            jam = esc(part[3:])
            out.append(
                rng.choice(
                    [
                        f'<font class="jammer">{jam}</font>',
                        f'<span style="display:none">{jam}</span>',
                    ]
                )
            )
        else:
            out.append(esc(part))
    return "".join(out)


def nav(rng: random.Random, tr) -> str:
    items = ["首页", "工作总结", "工作计划", "演讲稿", "心得体会", "合同范本", "作文大全"]
    return "".join(f'<a href="/{i}/">{esc(tr(t))}</a>' for i, t in enumerate(items))


def sidebar(rng: random.Random, tr, heading: str = "热门阅读") -> str:
    links = "".join(
        f'<li><a href="/a/{rng.randint(100, 999)}.html">{esc(tr(t))}</a></li>'
        for t in rng.sample(RELATED_TITLES, 5)
    )
    return f"<h3>{esc(tr(heading))}</h3><ul>{links}</ul>"


def links(items: list[str]) -> str:
    return "".join(
        f'<li><a href="/a/{zlib.crc32(t.encode()) % 997}.html">{esc(t)}</a></li>' for t in items
    )


def head(html_title: str, charset: str) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">'
        f"<title>{esc(html_title)}</title>"
        '<meta name="keywords" content="范文,演讲稿"></head>'
    )


def render_divp(title, html_title, crumb, body, prev_next, related, footer, name, rng, tr):
    parts = []
    for kind, text in body:
        if kind == "h":
            parts.append(f"<h2>{esc(text)}</h2>")
        else:
            parts.append(f"<p>{inline(text, 'divp', rng)}</p>")
    crumbs = " &gt; ".join(f'<a href="/c{i}/">{esc(c)}</a>' for i, c in enumerate(crumb))
    return (
        head(html_title, "utf-8")
        + f'<body><div class="top"><div class="nav">{nav(rng, tr)}</div></div>'
        + '<div class="wrap"><div class="left">'
        + f'<div class="crumb">{crumbs}</div>'
        + f'<div class="art"><h1>{esc(title)}</h1>'
        + f'<div class="content">{"".join(parts)}</div>'
        + f'<div class="pn"><p>{esc(prev_next[0])}</p><p>{esc(prev_next[1])}</p></div>'
        + (
            f'<div class="rel"><h3>{esc(related[0])}</h3><ul>{links(related[1:])}</ul></div>'
            if related
            else ""
        )
        + f'</div></div><div class="right">{sidebar(rng, tr)}</div></div>'
        + f'<div class="foot"><p>{esc(footer[0])}</p><p>{esc(footer[1])}</p>'
        + f"<p>{esc(name)} 京ICP备00000000号</p></div></body></html>"
    )


def render_table_br(title, html_title, crumb, body, prev_next, related, footer, name, rng, tr):
    lines = []
    for kind, text in body:
        lines.append(f"<b>{esc(text)}</b>" if kind == "h" else "　　" + inline(text, "", rng))
    crumbs = "您现在的位置:" + " > ".join(
        f'<a href="/c{i}/">{esc(c)}</a>' for i, c in enumerate(crumb)
    )
    rel = "<br>".join(f'<a href="/a/{i}.html">{esc(t)}</a>' for i, t in enumerate(related[1:]))
    return (
        head(html_title, "gbk").replace(
            '<meta charset="gbk">',
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        )
        + f'<body><table width="960"><tr><td colspan="2" class="nav">{nav(rng, tr)}</td></tr>'
        + f'<tr><td class="weizhi" colspan="2">{crumbs}</td></tr>'
        + '<tr><td width="700" valign="top">'
        + f'<table><tr><td class="biaoti"><font size="4"><b>{esc(title)}</b></font></td></tr>'
        + f'<tr><td class="zhengwen">{"<br>".join(lines)}</td></tr>'
        + f"<tr><td>{esc(prev_next[0])}<br>{esc(prev_next[1])}</td></tr>"
        + (f"<tr><td>{esc(related[0])}<br>{rel}</td></tr>" if related else "")
        + f'</table></td><td width="260" valign="top">{sidebar(rng, tr, "推荐范文")}</td></tr>'
        + f'<tr><td colspan="2">{esc(footer[0])} {esc(footer[1])}</td></tr></table>'
        + "</body></html>"
    )


def render_trad_article(title, html_title, crumb, body, prev_next, related, footer, name, rng, tr):
    parts = []
    for kind, text in body:
        if kind == "h":
            parts.append(f"<p><strong>{esc(text)}</strong></p>")
        else:
            parts.append(f"<p>{inline(text, '', rng)}</p>")
    crumbs = "".join(f'<a href="/c{i}/">{esc(c)}</a> » ' for i, c in enumerate(crumb))
    return (
        head(html_title, "utf-8")
        + f"<body><header><nav>{nav(rng, tr)}</nav></header>"
        + f'<main><nav class="breadcrumbs">{crumbs}</nav>'
        + f'<article class="post"><header><h1 class="entry-title">{esc(title)}</h1></header>'
        + f'<div class="entry-content">{"".join(parts)}</div>'
        + f'<footer class="post-nav"><a href="/p.html">{esc(prev_next[0])}</a>'
        + f'<a href="/n.html">{esc(prev_next[1])}</a></footer></article>'
        + (
            f'<section class="yarpp"><h3>{esc(related[0])}</h3><ol>{links(related[1:])}</ol>'
            "</section>"
            if related
            else ""
        )
        + f"<aside>{sidebar(rng, tr, '熱門文章')}</aside></main>"
        + f"<footer><p>{esc(footer[0])}</p><p>{esc(footer[1])}</p></footer></body></html>"
    )


def render_forum(title, html_title, crumb, body, prev_next, related, footer, name, rng, tr):
    lines = []
    for kind, text in body:
        lines.append(f"<strong>{esc(text)}</strong>" if kind == "h" else inline(text, "forum", rng))
    crumbs = "<em>›</em>".join(f'<a href="/f{i}/">{esc(c)}</a>' for i, c in enumerate(crumb))
    replies = "".join(
        f'<div class="post"><div class="pls">用户{rng.randint(100, 999)}</div>'
        f'<td class="t_f">{esc(r)}</td></div>'
        for r in ["写得很好,收藏了!", "感谢楼主分享", "顶一个"]
    )
    return (
        head(html_title, "utf-8")
        + f'<body><div id="hd">{nav(rng, tr)}</div>'
        + f'<div id="pt" class="bm cl"><div class="z">{crumbs}</div></div>'
        + '<div id="ct" class="wp cl"><div id="postlist">'
        + f'<h1 class="ts"><span id="thread_subject">{esc(title)}</span></h1>'
        + '<div class="post"><table><tr><td class="pls">楼主</td>'
        + f'<td class="t_f" id="postmessage_1">{"<br>".join(lines)}</td></tr></table></div>'
        + (
            f'<div class="post"><table><tr><td class="t_f">{esc(related[0])}<br>'
            + "<br>".join(esc(t) for t in related[1:])
            + "</td></tr></table></div>"
            if related
            else ""
        )
        + replies
        + f'</div></div><div id="ft">{esc(footer[0])} {esc(footer[1])}</div></body></html>'
    )


def render_section_div(title, html_title, crumb, body, prev_next, related, footer, name, rng, tr):
    parts = []
    for kind, text in body:
        if kind == "h":
            parts.append(f'<div class="sub"><b>{esc(text)}</b></div>')
        else:
            parts.append(f"<div>{inline(text, '', rng)}</div>")
    crumbs = "".join(f'<span><a href="/c{i}/">{esc(c)}</a></span> / ' for i, c in enumerate(crumb))
    return (
        head(html_title, "utf-8")
        + f'<body><div class="header">{nav(rng, tr)}</div><main>'
        + f'<div class="location">当前位置:{crumbs}</div>'
        + f'<section class="article-body"><h1>{esc(title)}</h1>{"".join(parts)}</section>'
        + f'<div class="prenext"><a href="/1.html">{esc(prev_next[0])}</a>'
        + f'<a href="/2.html">{esc(prev_next[1])}</a></div>'
        + (
            f'<div class="xg"><div class="t">{esc(related[0])}</div><ul>{links(related[1:])}'
            "</ul></div>"
            if related
            else ""
        )
        + f'<div class="side">{sidebar(rng, tr)}</div></main>'
        + f'<div class="footer">{esc(footer[0])}<br>{esc(footer[1])}</div></body></html>'
    )


def render_font_br(title, html_title, crumb, body, prev_next, related, footer, name, rng, tr):
    lines = []
    for kind, text in body:
        lines.append(
            f"<font color=red><b>{esc(text)}</b></font>"
            if kind == "h"
            else f"<font>{inline(text, '', rng)}</font>"
        )
    crumbs = "&nbsp;&gt;&gt;&nbsp;".join(
        f'<a href="/c{i}/">{esc(c)}</a>' for i, c in enumerate(crumb)
    )
    return (
        head(html_title, "gb18030")
        + f'<body><div id="nav">{nav(rng, tr)}</div>'
        + f'<div id="position">{crumbs}</div>'
        + f'<div id="main"><div id="title"><h1>{esc(title)}</h1></div>'
        + f'<div id="text">{"<br><br>".join(lines)}</div>'
        + f'<div id="fy">{esc(prev_next[0])}&nbsp;&nbsp;{esc(prev_next[1])}</div>'
        + (
            f'<div id="xg">{esc(related[0])}<br>'
            + "<br>".join(f'<a href="/x{i}.html">{esc(t)}</a>' for i, t in enumerate(related[1:]))
            + "</div>"
            if related
            else ""
        )
        + f'</div><div id="footer">{esc(footer[0])}<br>{esc(footer[1])}</div></body></html>'
    )


def render_mobile(title, html_title, crumb, body, prev_next, related, footer, name, rng, tr):
    parts = []
    for kind, text in body:
        if kind == "h":
            parts.append(f"<h3>{esc(text)}</h3>")
        else:
            parts.append(f"<p>{inline(text, '', rng)}</p>")
    crumbs = " > ".join(esc(c) for c in crumb)
    return (
        head(html_title, "utf-8").replace(
            "<head>", '<head><meta name="viewport" content="width=device-width">'
        )
        + f'<body><header class="m-top"><a href="/">{esc(name)}</a></header>'
        + f'<div class="m-crumb">{crumbs}</div>'
        + f'<div class="m-art"><div class="m-title"><h1>{esc(title)}</h1></div>'
        + f'<div class="m-content">{"".join(parts)}</div></div>'
        + f'<div class="m-pn"><a href="/p.html">{esc(prev_next[0])}</a><br>'
        + f'<a href="/n.html">{esc(prev_next[1])}</a></div>'
        + (
            f'<div class="m-rel"><h4>{esc(related[0])}</h4>{links(related[1:])}</div>'
            if related
            else ""
        )
        + f'<div class="m-app">{esc(footer[0])}</div><div class="m-cmt">{esc(footer[1])}</div>'
        + "</body></html>"
    )


LAYOUTS = {
    "divp": render_divp,
    "table_br": render_table_br,
    "trad_article": render_trad_article,
    "forum": render_forum,
    "section_div": render_section_div,
    "font_br": render_font_br,
    "mobile": render_mobile,
}


def build(out: Path = OUT) -> list[dict]:
    themes = read_texts()
    labels = []
    out.mkdir(parents=True, exist_ok=True)
    for site, layout, encoding, trad, slogan in SITES:
        rng = random.Random(f"labelled-{site}")
        (out / site).mkdir(exist_ok=True)
        for number in range(1, PAGES_PER_SITE + 1):
            document, label = compose(rng, site, layout, trad, slogan, number, themes)
            name = f"{site}/{number:02d}.html"
            body_text = "".join(p for v in label["variants"] for p in v["paragraphs"])
            clash = [b for b in label["boilerplate"] if b in body_text]
            assert not clash, f"{name}: boilerplate inside the body: {clash}"
            (out / name).write_bytes(document.encode(encoding, errors="xmlcharrefreplace"))
            labels.append({"file": name, "encoding": encoding, **label})
    (out / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    labels = build(parser.parse_args().out)
    print(f"{len(labels)} pages in {len({lab['layout'] for lab in labels})} layouts")


if __name__ == "__main__":
    main()
