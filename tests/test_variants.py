"""Variant splitting: every numbering style, and inner headings that are not variants."""

import pytest

from fanwen_crawler.variants import cn_number, declared_count, split_variants


def titles(paragraphs, title):
    return [(i, t) for i, t, _ in split_variants(paragraphs, title)[1]]


@pytest.mark.parametrize(
    ("token", "value"),
    [("1", 1), ("12", 12), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23)],
)
def test_chinese_numbers(token, value):
    assert cn_number(token) == value


@pytest.mark.parametrize(
    ("title", "stem", "count"),
    [
        ("国旗下讲话稿(通用13篇)", "国旗下讲话稿", 13),
        ("开学典礼致辞(精选5篇)", "开学典礼致辞", 5),
        ("年会致辞(汇总16篇)", "年会致辞", 16),
        ("竞聘演讲稿集锦八篇", "竞聘演讲稿", 8),
        ("禁毒誓师大会上讲话", "禁毒誓师大会上讲话", None),
    ],
)
def test_declared_count(title, stem, count):
    assert declared_count(title) == (stem, count)


@pytest.mark.parametrize(
    ("headings", "title"),
    [
        (["禁毒讲话1", "禁毒讲话2"], "禁毒讲话"),
        (["禁毒讲话篇1", "禁毒讲话篇2"], "禁毒讲话"),
        (["禁毒讲话 篇1", "禁毒讲话 篇2"], "禁毒讲话"),
        (["篇一", "篇二"], "禁毒讲话"),
        (["【篇一】", "【篇二】"], "禁毒讲话"),
        (["篇一:禁毒讲话", "篇二:禁毒发言"], "禁毒讲话(通用2篇)"),
        (["第一篇:禁毒讲话", "第二篇:禁毒发言"], "禁毒讲话"),
        (["范文一", "范文二"], "禁毒讲话"),
        (["1.禁毒讲话 篇一", "2.禁毒发言 篇二"], "禁毒讲话"),
        (["【禁毒讲话一】", "【禁毒讲话二】"], "禁毒讲话"),
        (["禁毒讲话(一)", "禁毒讲话(二)"], "禁毒讲话"),
        (["【範例一】", "【範例二】"], "禁毒講話"),
    ],
)
def test_each_heading_style_splits_in_two(headings, title):
    paragraphs = [
        "下面是小编整理的,欢迎阅读。",
        headings[0],
        "同志们:",
        "正文一。",
        headings[1],
        "正文二。",
    ]
    preamble, variants = split_variants(paragraphs, title)
    assert [(i, t) for i, t, _ in variants] == [(1, headings[0]), (2, headings[1])]
    assert preamble == ["下面是小编整理的,欢迎阅读。"]
    assert variants[1][2] == ["正文二。"]


def test_number_fused_to_salutation_is_split_off():
    paragraphs = [
        "国旗下演讲稿1尊敬的老师们:",
        "正文一。",
        "国旗下演讲稿2亲爱的同学们:",
        "正文二。",
    ]
    variants = split_variants(paragraphs, "国旗下演讲稿")[1]
    assert [(i, t, p[0]) for i, t, p in variants] == [
        (1, "国旗下演讲稿1", "尊敬的老师们:"),
        (2, "国旗下演讲稿2", "亲爱的同学们:"),
    ]


def test_inner_headings_are_not_variants():
    paragraphs = [
        "一、提高认识",
        "1、禁毒工作事关国家安危。",
        "(一)加强领导",
        "二、全民动员",
        "第二,深入开展。",
    ]
    assert titles(paragraphs, "禁毒讲话") == [(1, "禁毒讲话")]


def test_numbers_out_of_order_are_not_a_run():
    assert titles(["禁毒讲话2", "a", "禁毒讲话1", "b"], "禁毒讲话") == [(1, "禁毒讲话1")]


def test_page_without_headings_is_one_variant_titled_like_the_article():
    preamble, variants = split_variants(["甲。", "乙。"], "开学致辞")
    assert preamble == [] and variants == [(1, "开学致辞", ["甲。", "乙。"])]


@pytest.mark.parametrize(
    ("headings", "title"),
    [
        (["禁毒講話1", "禁毒講話2"], "禁毒講話"),
        (["禁毒講話 篇1", "禁毒講話 篇2"], "禁毒講話"),
        (["篇一:禁毒講話", "篇二:禁毒發言"], "禁毒講話(精選2篇)"),
        (["第一篇:禁毒講話", "第二篇:禁毒發言"], "禁毒講話"),
        (["1.禁毒講話 篇一", "2.禁毒發言 篇二"], "禁毒講話"),
        (["【禁毒講話一】", "【禁毒講話二】"], "禁毒講話"),
        (["禁毒講話(一)", "禁毒講話(二)"], "禁毒講話"),
        (["範文一", "範文二"], "禁毒講話"),
    ],
)
def test_traditional_heading_styles_split_in_two(headings, title):
    paragraphs = [headings[0], "同志們:", "正文一。", headings[1], "正文二。"]
    assert titles(paragraphs, title) == [(1, headings[0]), (2, headings[1])]


@pytest.mark.parametrize(
    ("title", "count"),
    [("禁毒講話(彙總16篇)", 16), ("年會致辭集錦八篇", 8), ("演講稿(精選5篇)", 5)],
)
def test_declared_count_in_traditional_titles(title, count):
    assert declared_count(title)[1] == count


def test_fewer_variants_than_declared_is_flagged():
    from fanwen_crawler.article import build_article
    from fanwen_crawler.extract import Block, Page

    page = Page("禁毒讲话(通用5篇)", "", [Block(p) for p in ["篇一", "甲。", "篇二", "乙。"]])
    item = build_article(page, url="https://x.example/1.html", site="x")
    assert item.declared_count == 5 and len(item.variants) == 2
    assert "declared 5 variants, found 2" in item.warnings


def test_inner_numbered_headings_in_one_variant_stay_inside_it():
    paragraphs = ["篇一", "一、提高认识", "1、要加强领导。", "(一)健全机制", "篇二", "二、狠抓落实"]
    preamble, variants = split_variants(paragraphs, "工作会议讲话")
    assert [len(body) for _, _, body in variants] == [3, 1]
