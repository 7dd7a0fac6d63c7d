"""Generic extraction: pages of unknown layout, as bytes, through the crawl's own functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from fanwen_crawler.extract import (
    extract_page,
    first_match,
    fix_encoding,
    listing_links,
    page_title,
    strip_site_suffix,
    text_page,
)
from fanwen_crawler.pages import article_from_html, article_from_text

PROJECT = Path(__file__).resolve().parents[1]
SEED_PAGE = (
    PROJECT / "data/replica/nuenian/fanwen/yanjiangzhici/07d16818ebe34cf828ffd1e42b346479.html"
)
SEED_TEXT = PROJECT / "data/seed/000_d01860286288732d.txt"
LABELLED = PROJECT / "data/labelled"


def page(html: str, url: str = "https://fanwen.example/a/1.html", encoding: str = "utf-8"):
    response = HtmlResponse(url=url, body=html.encode(encoding), encoding=encoding)
    return extract_page(fix_encoding(response)[0].selector)


@pytest.mark.parametrize(
    ("shown", "title"),
    [
        ("国旗下讲话稿_演讲稿_第一范文网", "国旗下讲话稿"),
        ("开学典礼致辞 - 范文网", "开学典礼致辞"),
        ("年会致辞(通用5篇)|公文写作网", "年会致辞(通用5篇)"),
        ("2024-2025学年第一学期工作计划", "2024-2025学年第一学期工作计划"),
    ],
)
def test_site_suffix_is_stripped_but_a_bare_hyphen_stays(shown, title):
    assert strip_site_suffix(shown) == title


def test_logo_h1_naming_the_site_is_passed_over_for_the_title():
    html = (
        "<html><head><title>消防安全讲话_好文网</title></head><body><h1>好文网</h1>"
        "<div><p>同志们:今天召开消防安全工作会议。</p></div></body></html>"
    )
    assert page_title(Selector(text=html)) == "消防安全讲话"


def test_hidden_jammer_text_is_left_out_and_audited():
    html = (
        '<html><head><title>帖子</title></head><body><h1>读书心得</h1><div class="t_f">'
        '读书使人明智,<font class="jammer">x9Kq2</font>读史使人明鉴。'
        '<span style="display:none">zz81</span>书籍是人类进步的阶梯。</div></body></html>'
    )
    extracted = page(html)
    assert extracted.paragraphs == ["读书使人明智,读史使人明鉴。书籍是人类进步的阶梯。"]
    assert [r["text"] for r in extracted.removed] == ["x9Kq2", "zz81"]


def test_gbk_table_layout_with_br_paragraphs():
    body = "<br>".join(
        f"　　第{n}段正文,内容关于安全生产工作的各项要求和具体措施。" for n in range(8)
    )
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>安全讲话_文秘之家</title></head><body><table><tr><td>"
        '<a href="/">首页</a> <a href="/x/">讲话稿</a></td></tr><tr><td class="zw">'
        f"{body}</td></tr><tr><td><a href='/1.html'>上一篇范文的标题文字</a></td></tr>"
        "</table></body></html>"
    )
    extracted = page(html, encoding="gbk")
    assert extracted.title == "安全讲话"
    assert len(extracted.paragraphs) == 8 and extracted.paragraphs[0].startswith("第0段")


def test_seed_page_still_gives_two_variants():
    item = article_from_html(SEED_PAGE.read_bytes(), "https://www.nuenian.com/x.html")
    assert [v.title for v in item.variants] == ["禁毒誓师大会上讲话1", "禁毒誓师大会上讲话2"]
    assert item.variants[0].text.startswith("同志们:")
    assert item.variants[0].text.endswith("作出新的更大的贡献!")
    assert item.variants[1].text.endswith("夺取我县禁毒人民战争全面胜利作出新的贡献!")


def test_seed_text_file_finds_breadcrumb_title_and_variants():
    item = article_from_text(SEED_TEXT.read_text(encoding="utf-8"), "file:///seed.txt")
    assert (item.title, item.category) == ("禁毒誓师大会上讲话", "范文/演讲致辞")
    assert [v.title for v in item.variants] == ["禁毒誓师大会上讲话1", "禁毒誓师大会上讲话2"]
    assert item.variants[1].text.endswith("夺取我县禁毒人民战争全面胜利作出新的贡献!")
    assert {"editor_intro", "watermark_sentence", "copyright"} <= {r["rule"] for r in item.removed}


def test_text_title_shown_twice_is_dropped():
    extracted = text_page(["开学致辞 - 某某网", "开学致辞", "同学们:", "新学期开始了。"])
    assert extracted.title == "开学致辞"
    assert extracted.paragraphs == ["同学们:", "新学期开始了。"]


def test_listing_main_list_beats_menu_and_sidebar():
    items = "".join(f'<li><a href="/a/{n}.html">第{n}篇国旗下讲话稿范文</a></li>' for n in range(6))
    html = (
        '<html><body><div class="nav"><a href="/">首页</a><a href="/zj/">工作总结</a></div>'
        '<ul class="hot"><li><a href="/b/9.html">热门的一篇其他文章</a></li></ul>'
        f'<ul class="list">{items}</ul><div class="page"><a href="list_2.html">2</a>'
        '<a href="list_2.html">下一页</a><a href="https://other.example/a/1.html">外站的链接文章</a>'
        "</div></body></html>"
    )
    found = listing_links(Selector(text=html), "https://fanwen.example/fanwen/gq/")
    assert found.articles == [f"https://fanwen.example/a/{n}.html" for n in range(6)]
    assert found.pages == ["https://fanwen.example/fanwen/gq/list_2.html"]


LABELS = json.loads((LABELLED / "labels.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("label", LABELS[::9], ids=lambda lab: lab["file"])
def test_labelled_page_title_and_variant_titles(label):
    item = article_from_html((LABELLED / label["file"]).read_bytes(), label["url"])
    assert item.title == label["title"]
    assert [v.title for v in item.variants] == [v["title"] for v in label["variants"]]


@pytest.mark.parametrize(
    "css", ["div.content", "div.art-body", "div.position", "p.note", "div.article h1", "#x"]
)
def test_profile_selectors_find_what_their_css_names(css):
    """``tag.class`` is found by a scan, anything else by the XPath cssselect gives: both pick
    the first element in document order that the CSS selects."""
    html = (
        "<html><body><div class='contents'>no</div><div class='x\u3000content y\xa0content'>"
        "no: not separators</div><div class=' nav  content\tmain'>"
        "<div class='content'>inner</div><p class='note x'>p</p></div><div id='x'>"
        "<div class='article'><h1>题</h1></div><div class='position art-body'>c</div>"
        "</div></body></html>"
    )
    selector = Selector(text=html)
    expected = selector.css(css)
    found = first_match(selector, css)
    assert found is expected[0].root
