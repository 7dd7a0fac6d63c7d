"""Split an article's paragraphs into its variants at their numbered headings.

范文 pages often carry several texts under one title. Sites number them in many ways:
``标题1``/``标题2``, ``标题篇1``, ``篇一``, ``【篇一】``, ``篇一:副标题``, ``第一篇:副标题``,
``范文一``, ``1.标题 篇一``, ``【标题一】``, ``标题(一)``, or a number fused to the salutation
(``…演讲稿1尊敬的领导…``). A heading inside a text (``一、…``, ``1、…``, ``(一)…``) is not a
variant: it never carries a 篇/范文 marker nor repeats the article title.
A run of headings counts only when its numbers go 1, 2, 3… in page order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = "零〇一二三四五六七八九十百两壹贰叁肆伍陆柒捌玖拾貳參陸"
_CN_VALUE = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "貳": 2, "三": 3, "叁": 3,
    "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7,
    "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
NUM = rf"(?:\d{{1,3}}|[{CN_DIGITS}]{{1,4}})"

# Titles that declare how many texts they hold: (通用13篇), (精选5篇), 集锦八篇, 汇总16篇.
_DECLARED = re.compile(
    rf"[((【\[]?\s*(?:通用|精选|汇总|彙總|精選|优选|優選|推荐|推薦|热门|熱門|最新|实用|實用|优秀|"
    rf"優秀|精品|合集|集锦|集錦|大全|范文|範文|经典|經典|必备|必備)?\s*({NUM})\s*篇\s*[))】\]]?\s*$"
)
_DECLARED_SUFFIX = re.compile(rf"(?:集锦|集錦|汇总|彙總|合集|精选|精選)({NUM})篇$")

_END_PUNCT = re.compile(r"[。!?;!?;]")
_MAX_HEADING = 60
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d{1,2}")

# Marker first: 篇一, 【篇一】, 篇一:副标题, 第一篇:副标题, 范文一, 【範例一】, 篇1.
_MARKER_FIRST = re.compile(
    rf"^[【\[((]?\s*(?:第\s*(?P<a>{NUM})\s*篇|篇\s*(?P<b>{NUM})|"
    rf"(?:范文|範文|范例|範例|例文|样本|樣本)\s*(?P<c>{NUM}))\s*[】\]))]?"
    rf"\s*(?:[::、.．\s]\s*(?P<sub>.*))?$"
)
# Number first, marker last: 1.标题 篇一.
_NUMBER_TITLE_MARKER = re.compile(rf"^\d{{1,3}}\s*[.、．]\s*(?P<sub>.+?)\s*篇\s*(?P<a>{NUM})$")
# Title first, number last: 标题1, 标题篇1, 标题 篇1, 标题(一), 【标题一】, 标题一.
_TITLE_NUMBER = re.compile(
    rf"^[【\[]?(?P<stem>.+?)\s*(?:篇\s*(?P<a>{NUM})|[((](?P<b>{NUM})[))]|(?P<c>\d{{1,3}})|"
    rf"(?P<d>[一二三四五六七八九十]{{1,3}}))[】\]]?$"
)


def cn_number(token: str) -> int:
    """``12`` → 12, ``十二`` → 12, ``二十`` → 20, ``一百`` → 100."""
    if token.isdigit():
        return int(token)
    total, current = 0, 0
    for char in token:
        if char in "十拾":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = _CN_VALUE.get(char, 0)
    return total + current


def declared_count(title: str) -> tuple[str, int | None]:
    """The title without its count, and the count it declares (``(通用13篇)`` → 13)."""
    for pattern in (_DECLARED, _DECLARED_SUFFIX):
        match = pattern.search(title)
        if match and match.start() > 0:
            return title[: match.start()].strip(), cn_number(match.group(1))
    return title.strip(), None


@dataclass(frozen=True)
class Heading:
    position: int  # paragraph index
    number: int
    style: str
    title: str  # the heading as shown
    rest: str = ""  # text fused after the heading (…演讲稿1尊敬的领导…), a paragraph of its own


def _similar_stem(stem: str, title_stem: str) -> bool:
    """Does a heading's stem repeat the article title (allowing small edits)?"""
    stem, title_stem = re.sub(r"^[\s::]+|[\s::]+$", "", stem), title_stem.strip()
    if len(stem) < 2 or not title_stem:
        return False
    if stem in title_stem or title_stem in stem:
        return True
    common = sum(1 for a, b in zip(stem, title_stem, strict=False) if a == b)
    return common >= max(2, min(len(stem), len(title_stem)) * 2 // 3)


def _heading(position: int, text: str, title_stem: str) -> Heading | None:
    text = text.strip()
    if len(text) > _MAX_HEADING or _END_PUNCT.search(text):
        return _fused_heading(position, text, title_stem)
    return _plain_heading(position, text, title_stem) or _fused_heading(position, text, title_stem)


def _plain_heading(position: int, text: str, title_stem: str) -> Heading | None:
    if m := _MARKER_FIRST.match(text):
        number = m.group("a") or m.group("b") or m.group("c")
        return Heading(position, cn_number(number), "marker", text)
    if m := _NUMBER_TITLE_MARKER.match(text):
        return Heading(position, cn_number(m.group("a")), "number-marker", text)
    if (m := _TITLE_NUMBER.match(text)) and _similar_stem(m.group("stem"), title_stem):
        for style in "abcd":
            if m.group(style):
                return Heading(position, cn_number(m.group(style)), "title-" + style, text)
    return None


def _fused_heading(position: int, text: str, title_stem: str) -> Heading | None:
    """``国旗下演讲稿1尊敬的老师们…``: the title and its number glued to the first sentence."""
    if len(title_stem) < 4:
        return None
    # the first digit at or after half the title's length, within a heading's reach
    first = _DIGIT.search(text, len(title_stem) // 2, _MAX_HEADING)
    if first is None:
        return None
    m = _DIGITS.match(text, first.start())
    assert m is not None  # a digit starts it
    rest = text[m.end() :].strip()
    if _similar_stem(text[: m.start()], title_stem) and rest and not rest[0].isdigit():
        return Heading(position, int(m.group()), "fused", text[: m.end()], rest)
    return None


def _numbered_run(candidates: list[Heading]) -> list[Heading]:
    """The longest run of one style whose numbers go 1, 2, 3… in page order."""
    best: list[Heading] = []
    for style in {h.style for h in candidates}:
        run: list[Heading] = []
        for heading in candidates:
            if heading.style == style and heading.number == len(run) + 1:
                run.append(heading)
        if len(run) > len(best):
            best = run
    return best


def find_headings(paragraphs: list[str], title: str) -> list[Heading]:
    title_stem, _ = declared_count(title)
    candidates = [h for i, p in enumerate(paragraphs) if (h := _heading(i, p, title_stem))]
    return _numbered_run(candidates)


def split_variants(
    paragraphs: list[str], title: str
) -> tuple[list[str], list[tuple[int, str, list[str]]]]:
    """Split paragraphs into (preamble, [(index, variant title, paragraphs)…]).

    A page without numbered headings is one variant titled like the article; everything is
    its body and the preamble is empty.
    """
    headings = find_headings(paragraphs, title)
    if not headings:
        return [], [(1, title, list(paragraphs))]
    preamble = paragraphs[: headings[0].position]
    variants = []
    for n, heading in enumerate(headings):
        end = headings[n + 1].position if n + 1 < len(headings) else len(paragraphs)
        body = paragraphs[heading.position + 1 : end]
        if heading.rest:
            body.insert(0, heading.rest)
        variants.append((heading.number, heading.title, body))
    return preamble, variants
