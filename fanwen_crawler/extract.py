"""Pure extraction functions: a page's bytes → title, category path and text blocks.

Called by the spiders, the pipelines' tests and ``fanwen extract`` alike, so what the command
shows is what the crawl stores. Site profiles (CSS selectors) win where they match; otherwise
the main block is found by text density.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from scrapy.http import HtmlResponse, TextResponse

from fanwen_crawler.textnorm import tidy

# Elements whose start or end breaks a line of text.
_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol table tr td th section article blockquote pre dd dt dl "
    "center hr header footer nav aside form".split()
)
_HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_SKIP_TAGS = frozenset("script style noscript iframe template select button textarea".split())
_CONTAINER_TAGS = frozenset("div article section main table tbody tr td".split())
_EMPHASIS_TAGS = frozenset({"strong", "b"})
# A site suffix after the title: ``_第一范文网``, `` - 范文网``, ``|演讲稿``; a bare hyphen
# (``2024-2025学年``) is part of the title.
_TITLE_SUFFIX = re.compile(r"(?:\s*[_|｜]\s*|\s+[-–—]\s+|\s*——\s*)[^_|｜]{1,30}$")
# Elements a browser does not show: forums inject "jammer" strings in them between words.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HIDDEN_CLASS = re.compile(r"(?:^|\s)jammer(?:\s|$)", re.I)
_CRUMB_SEPARATORS = re.compile(r"\s*(?:>|&gt;|»|›|→|/|\\)\s*")
_CRUMB_PREFIX = re.compile(
    r"^\s*(?:当前位置|當前位置|您现在的位置|您現在的位置|你现在的位置|您的位置|位置)(?:是)?\s*[::]?\s*"
)
_HOME = {"首页", "主页", "网站首页", "home", "Home", "HOME"}
# A breadcrumb is marked by its class or id, or starts with "当前位置:"-like words.
_CRUMB_STARTS = ("当前位置", "您的位置", "您现在的位置", "你现在的位置", "當前位置")
_CRUMB_XPATH = (
    "(//*[contains(@class,'position') or contains(@class,'crumb') or contains(@class,'location')"
    " or contains(@class,'path') or contains(@id,'position') or contains(@id,'crumb')]"
    " | //*[self::div or self::p or self::span][not(.//div)]["
    + " or ".join(f"starts-with(normalize-space(.),'{w}')" for w in _CRUMB_STARTS)
    + "])[1]"
)
_CRUMB_LEAF = {"正文", "内容", "阅读", "详情", "文章"}  # "首页 > 讲话稿 > 正文": the page itself
# A decoded page with this share of U+FFFD was decoded with the wrong codec.
_MOJIBAKE_SHARE = 0.01


@dataclass(frozen=True)
class Profile:
    """CSS selectors of one known site layout; empty selectors fall back to generic rules."""

    site: str
    title: str = "h1"
    breadcrumb: str = ""
    body: str = ""


@dataclass
class Block:
    text: str
    heading: bool = False  # came from h1–h6, or was wholly bold


@dataclass
class Page:
    title: str
    category: str
    blocks: list[Block] = field(default_factory=list)
    # What extraction itself dropped from the body (hidden jammer strings), for the audit.
    removed: list[dict] = field(default_factory=list)
    # False when the profile's body selector found nothing and the body was found generically.
    profile_matched: bool = True

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks]


def fix_encoding(response: TextResponse) -> tuple[TextResponse, str | None]:
    """Redecode a page whose declared charset lies (GBK bytes sent as UTF-8, say).

    Returns the response to use and a warning naming the fix, or None when nothing was wrong.
    """
    text = response.text
    if not text or text.count("\ufffd") / len(text) < _MOJIBAKE_SHARE:
        return response, None
    for codec in ("gb18030", "utf-8", "big5"):
        if codec == response.encoding:
            continue
        try:
            response.body.decode(codec)
        except UnicodeDecodeError:
            continue
        fixed = HtmlResponse(
            url=response.url,
            status=response.status,
            headers=response.headers,
            body=response.body,
            encoding=codec,
            request=response.request,
        )
        return fixed, f"charset_mismatch: declared {response.encoding}, decoded as {codec}"
    return response, f"charset_mismatch: declared {response.encoding}, no codec fits"


def is_hidden(node: etree._Element) -> bool:
    """Is the element invisible to a reader (inline style, ``hidden``, a forum jammer)?"""
    attrib = node.attrib
    if not attrib:  # most elements of an article body: no attribute to look at
        return False
    style, classes = attrib.get("style"), attrib.get("class")
    return (
        (style is not None and _HIDDEN_STYLE.search(style) is not None)
        or "hidden" in attrib
        or (classes is not None and _HIDDEN_CLASS.search(classes) is not None)
    )


def blocks_of(element: etree._Element, removed: list[dict] | None = None) -> list[Block]:
    """The text lines of an element: block elements and <br> end a line.

    Hidden elements are left out; their text goes to ``removed`` (rule ``hidden_text``).
    """
    blocks: list[Block] = []
    parts: list[str] = []
    bold: list[bool] = []  # per text part: was it inside strong/b?
    heading = False

    def flush() -> None:
        nonlocal heading
        line = tidy("".join(parts))
        if line:
            is_bold = bool(bold) and all(b for b, p in zip(bold, parts, strict=True) if p.strip())
            blocks.append(Block(line, heading or is_bold))
        parts.clear()
        bold.clear()
        heading = False

    def walk(node: etree._Element, in_bold: bool) -> None:
        nonlocal heading
        tag = node.tag if isinstance(node.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP_TAGS or not tag:
            _tail(node, in_bold)
            return
        if is_hidden(node):
            text = tidy("".join(node.itertext()))
            if text and removed is not None:
                where = f"line {len(blocks) + 1}"
                removed.append({"rule": "hidden_text", "text": text, "where": where})
            _tail(node, in_bold)
            return
        if tag == "br":
            flush()
            _tail(node, in_bold)
            return
        is_block = tag in _BLOCK_TAGS
        if is_block:
            flush()
        if tag in _HEADING_TAGS:
            heading = True
        inner_bold = in_bold or tag in _EMPHASIS_TAGS
        if node.text:
            parts.append(node.text)
            bold.append(inner_bold)
        for child in node:
            walk(child, inner_bold)
        if is_block:
            flush()
        _tail(node, in_bold)

    def _tail(node: etree._Element, in_bold: bool) -> None:
        if node.tail:
            parts.append(node.tail)
            bold.append(in_bold)

    if element.text:
        parts.append(element.text)
        bold.append(False)
    for child in element:
        walk(child, False)
    flush()
    return blocks


def _density_score(element: etree._Element) -> float:
    """Chinese text held in the element's own paragraphs, minus what sits inside links."""
    text = "".join(element.itertext())
    link_text = sum(len("".join(a.itertext())) for a in element.iter("a"))
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return cjk - 3 * link_text


def main_block(selector: Selector) -> etree._Element | None:
    """The element that holds the article: most Chinese text outside links, deepest wins ties.

    Scores every div/article/section/td; a parent scores at least what its best child does,
    so we descend while a single child keeps at least 80% of the parent's score.
    """
    body = selector.xpath("//body")
    root = body[0].root if body else selector.root
    node = root
    while True:
        children = [
            c
            for c in node
            if isinstance(c.tag, str)
            and c.tag.lower() in {"div", "article", "section", "td", "table", "tr", "tbody", "main"}
        ]
        if not children:
            return node
        best = max(children, key=_density_score)
        if _density_score(best) < 0.8 * _density_score(node):
            return node
        node = best


# Compiled once: parsel compiles a query's XPath on every call, and wraps every result.
_STRING = etree.XPath("string()")
_LINKS = etree.XPath(".//a")
_CRUMB = etree.XPath(_CRUMB_XPATH)


_TAG_DOT_CLASS = re.compile(r"([a-z][a-z0-9]*)\.(-?[_a-zA-Z][\w-]*)")
_XPATH_SPACE = re.compile(r"[ \t\r\n]+")  # what normalize-space() splits class names on


@functools.cache
def _css_query(css: str) -> Callable[[etree._Element], list]:
    """The CSS selector as a compiled XPath; ``tag.class`` (most profiles' body and
    breadcrumb) as a scan of that tag's elements that stops at the first match, a third of
    the XPath's time (cssselect's translation normalises every element's class string)."""
    if simple := _TAG_DOT_CLASS.fullmatch(css):
        return functools.partial(_first_with_class, *simple.groups())
    return etree.XPath(HTMLTranslator().css_to_xpath(css))


def _first_with_class(tag: str, name: str, root: etree._Element) -> list:
    for element in root.iter(tag):
        classes = element.get("class")
        if classes and name in _XPATH_SPACE.split(classes):
            return [element]
    return []


def _first(query: Callable[[etree._Element], list], selector: Selector) -> etree._Element | None:
    found = query(selector.root)
    return found[0] if found else None


def first_match(selector: Selector, css: str) -> etree._Element | None:
    """The first element matching a profile's CSS selector (its query built once)."""
    return _first(_css_query(css), selector)


def strip_site_suffix(title: str) -> str:
    """``国旗下讲话稿_演讲稿_第一范文网`` → ``国旗下讲话稿``; a bare hyphen stays."""
    title = tidy(title)
    while (stripped := _TITLE_SUFFIX.sub("", title)) != title and stripped:
        title = stripped
    return title


def page_title(selector: Selector, profile: Profile | None = None) -> str:
    """The page's title: profile selector, else an h1, else <title> without its site suffix.

    An h1 that is only the site's name (a logo, named again in the <title>'s suffix) is
    passed over.
    """
    if profile and profile.title:
        node = first_match(selector, profile.title)
        text = tidy(_STRING(node)) if node is not None else ""
        if text:
            return text
    raw = tidy(selector.xpath("string(//title)").get() or "")
    head = strip_site_suffix(raw)
    site_part = raw[len(head) :]
    for h1 in selector.xpath("//body//h1")[:5]:
        text = tidy(h1.xpath("string()").get() or "")
        if text and not (site_part and text in site_part and text not in head):
            return text
    return head


def breadcrumb(selector: Selector, profile: Profile | None = None) -> str:
    """Category path from the breadcrumb, home left out.

    ``首页 > 范文 > 演讲致辞`` → ``范文/演讲致辞``.
    """
    if profile and profile.breadcrumb:
        node = first_match(selector, profile.breadcrumb)
    else:
        node = _first(_CRUMB, selector)
    if node is None:
        return ""
    links = [tidy(_STRING(a)) for a in _LINKS(node)]
    if len(links) < 2:
        text = _CRUMB_PREFIX.sub("", tidy(_STRING(node)))
        links = _CRUMB_SEPARATORS.split(text)
    return "/".join(p for p in links if p and p not in _HOME and p not in _CRUMB_LEAF)


def extract_page(selector: Selector, profile: Profile | None = None) -> Page:
    """Title, category and the text blocks of the article body."""
    body = None
    if profile and profile.body:
        body = first_match(selector, profile.body)
    matched = body is not None or not (profile and profile.body)
    if body is None:
        body = main_block(selector)
    removed: list[dict] = []
    blocks = blocks_of(body, removed) if body is not None else []
    title, category = page_title(selector, profile), breadcrumb(selector, profile)
    return Page(title, category, blocks, removed, profile_matched=matched)


# Listing pages --------------------------------------------------------------------------------

_PAGER_TEXT = re.compile(
    r"^(?:\d{1,4}|下一?页|下一?頁|后页|後頁|尾页|末页|尾頁|末頁|next|Next|»|›|>>?|\[\d{1,4}\])$"
)
_PAGER_URL = re.compile(
    r"(?:list|index|page)[_-]?\d+\.s?html?$|[?&](?:page|p|pn|pageno)=\d+|/page/\d+/?$"
)
_LIST_TAGS = ("ul", "ol", "dl", "table", "tbody", "div", "section")
_MIN_LINK_CJK = 4  # an article link's text is a title, not 首页 or 更多


@dataclass
class ListingLinks:
    articles: list[str]
    pages: list[str]


def _cjk(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def listing_links(selector: Selector, url: str) -> ListingLinks:
    """Article links of a listing's main list, and its pagination, on the listing's host.

    The main list is the container (``ul``, ``div``, ``table``…) holding the most links with a
    title for text (sidebars and menus hold fewer, or shorter ones); lists of the same tag and
    class beside it (a listing split into several ``ul``) count too. Pagination links are
    number, ``下一页`` or ``list_N.html``-shaped links under the listing's own directory.
    """
    split = urlsplit(url)
    directory = split.path.rsplit("/", 1)[0] + "/"
    pages: list[str] = []
    by_container: dict[etree._Element, list[str]] = {}
    for anchor in selector.xpath("//body//a[@href]"):
        href = (anchor.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        link = urljoin(url, href).split("#")[0]
        target = urlsplit(link)
        if target.scheme not in ("http", "https") or target.netloc != split.netloc:
            continue
        if link == url:
            continue
        text = tidy(anchor.xpath("string()").get() or "")
        if target.path.startswith(directory) and (
            _PAGER_TEXT.match(text) or _PAGER_URL.search(target.path + "?" + target.query)
        ):
            pages.append(link)
            continue
        if _cjk(text) < _MIN_LINK_CJK:
            continue
        container = next(anchor.root.iterancestors(*_LIST_TAGS), None)
        if container is not None:
            by_container.setdefault(container, []).append(link)
    articles: list[str] = []
    if by_container:
        best = max(by_container, key=lambda c: len(by_container[c]))
        kind = (best.tag, best.get("class"))
        for container, links in by_container.items():
            if container is best or (
                (container.tag, container.get("class")) == kind
                and kind[1]
                and len(links) * 2 >= len(by_container[best])
            ):
                articles.extend(links)
    return ListingLinks(list(dict.fromkeys(articles)), list(dict.fromkeys(pages)))


# Plain text ---------------------------------------------------------------------------------

_CRUMB_LINE = re.compile(r"^(?:当前位置|當前位置|您现在的位置|您的位置|首页|首頁|主页)\s*[::>»/]")


def text_page(lines: list[str], title: str = "") -> Page:
    """A text of one paragraph per line as a page: a breadcrumb line (``首页 > 范文 > …``)
    gives the category, the first other line is the title (site suffix stripped) unless given,
    and the title shown again at the top is dropped."""
    lines = [line for line in (tidy(raw) for raw in lines) if line]
    category = ""
    if lines and _CRUMB_LINE.match(lines[0]):
        crumb = _CRUMB_SEPARATORS.split(_CRUMB_PREFIX.sub("", lines.pop(0)))
        category = "/".join(p for p in crumb if p and p not in _HOME)
    if not title and lines:
        title = strip_site_suffix(lines.pop(0))
    while lines and lines[0] == title:
        lines.pop(0)
    return Page(title=title, category=category, blocks=[Block(line) for line in lines])
