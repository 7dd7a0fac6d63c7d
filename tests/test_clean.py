"""Cleaning: boilerplate out, watermarks cut from sentences, placeholders and body kept."""

import pytest

from fanwen_crawler.clean import clean_article, clean_paragraphs, load_rules
from fanwen_crawler.items import ArticleItem, VariantItem

RULES = load_rules("nuenian")


def kept(*paragraphs: str) -> list[str]:
    return clean_paragraphs(list(paragraphs), RULES)[0]


@pytest.mark.parametrize(
    "line",
    [
        "下面是查字典范文网小编给大家整理收集的禁毒誓师大会上讲话,欢迎阅读参考。",
        "以下是小编为大家收集的开学典礼致辞,仅供参考,大家一起来看看吧。",
        "版权声明:此文自动收集于网络,若有来源错误或者侵犯您的合法权益,您可通过邮箱与我们取得联系。",
        "本文地址:https://www.nuenian.com/fanwen/yanjiangzhici/07d1.html",
        "当前位置:首页 > 范文 > 演讲致辞",
        "时间:2024-03-01 作者:佚名 我要投稿",
        "上一篇:开学典礼致辞",
        "……此处隐藏1024个字……",
        "(未完,全文共3000字,当前显示1500字)",
        "Copyright © 文秘网 版权所有",
        "更多文章尽在文秘网",
    ],
)
def test_boilerplate_line_is_removed(line):
    assert kept("同志们:", line, "正文。") == ["同志们:", "正文。"]


def test_related_block_takes_its_link_lines_along():
    paragraphs = ["正文。", "【演讲稿】相关文章:", "开学致辞 2023-09-01", "国旗下讲话 2023-09-02"]
    assert kept(*paragraphs) == ["正文。"]


def test_watermark_is_cut_and_the_sentence_kept():
    cleaned, removed = clean_paragraphs(
        ["提高农民识别和防范毒品的能力。原创文秘材料,尽在网络。"], RULES
    )
    assert cleaned == ["提高农民识别和防范毒品的能力。"]
    assert removed[0]["rule"] == "watermark_sentence"


def test_placeholders_stay():
    line = "刚才,某某同志宣读了《某某县禁毒人民战争实施方案》,xxxx年XX月。"
    assert kept(line) == [line]


def test_body_paragraph_mentioning_copyright_words_is_long_and_stays():
    line = "知识产权保护工作要依法打击侵权行为," * 20
    assert kept(line) == [line]


def test_every_removal_is_audited_with_rule_and_place():
    item = ArticleItem(
        url="https://example.com/1.html",
        site="nuenian",
        category="范文/演讲致辞",
        title="禁毒讲话",
        variants=[VariantItem(1, "禁毒讲话1", ["同志们:", "本文地址:https://x.example/1.html"])],
        fetched_at="2026-01-01T00:00:00",
        preamble=["下面是小编整理的禁毒讲话,欢迎阅读参考。"],
    )
    clean_article(item)
    assert item.variants[0].text == "同志们:"
    assert [(r["rule"], r["where"]) for r in item.removed] == [
        ("editor_intro", "preamble paragraph 1"),
        ("address", "variant 1 paragraph 2"),
    ]


@pytest.mark.parametrize(
    ("shown", "clean"),
    [
        ("读书使人.明智,读史使人明鉴。", "读书使人明智,读史使人明鉴。"),
        ("珍惜时间'就是珍惜生命。", "珍惜时间就是珍惜生命。"),
        ("增长率达到3.5个百分点。", "增长率达到3.5个百分点。"),
        ("安全重于泰山。(某某范文网整理)我们要时刻警惕。", "安全重于泰山。我们要时刻警惕。"),
    ],
)
def test_inline_watermarks_are_cut_without_harming_the_sentence(shown, clean):
    assert kept(shown) == [clean]


@pytest.mark.parametrize(
    "line",
    [
        ".article-content p{margin:0 0 1em;text-indent:2em}",
        "原文鏈接:https://fanwen.example/a/1.html",
        "熱門文章",
        "试读结束,请下载完整版",
        "……此处隐藏5210个字……",
    ],
)
def test_more_boilerplate_lines_are_removed(line):
    assert kept("正文一。", line) == ["正文一。"]


def test_recurring_line_is_learned_across_pages_of_different_texts():
    from fanwen_crawler.learned import LineTable

    table = LineTable()
    for n in range(5):
        body = [f"第{n}篇的正文,内容各不相同,讲的是第{n}件事情,所以不会重复出现在别的页面上。"]
        table.observe([*body, "本站范文天天更新,随时来看看"], ("标题",))
    cleaned, removed = clean_paragraphs(
        ["新的正文一段。", "本站范文天天更新,随时来看看"], RULES, learned=table
    )
    assert cleaned == ["新的正文一段。"]
    assert removed[0]["rule"] == "learned_repeat"


def test_a_text_copied_on_several_pages_is_not_learned_as_boilerplate():
    from fanwen_crawler.learned import LineTable

    table = LineTable()
    copied = [
        "同学们,新学期开始了,让我们一起努力,争取更好的成绩,做一个德智体美劳全面发展的好学生。",
        "谢谢大家的聆听,我的发言到此结束",
    ]
    for n in range(4):
        table.observe(copied, (f"标题{n}",))
    for n in range(6):  # copies on fewer than half the site's pages
        table.observe([f"另一篇不同的正文第{n}篇,内容和上面的完全不同,讲的是另外一件事情。"])
    assert not table.is_boilerplate(copied[1])


def test_recurring_bracketed_slogan_is_learned_inside_sentences():
    from fanwen_crawler.learned import LineTable

    table = LineTable()
    for n in range(4):
        table.observe([f"第{n}段正文的第一句话。(好文章社区荟萃)第{n}段正文的第二句话。"])
    cleaned, removed = clean_paragraphs(["正文。(好文章社区荟萃)正文二。"], RULES, learned=table)
    assert cleaned == ["正文。正文二。"]
    assert removed[0]["rule"] == "learned_fragment"
