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
