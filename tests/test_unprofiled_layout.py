"""A layout none of our profiles or labelled pages knows: generic extraction still holds."""

from pathlib import Path

from fanwen_crawler.clean import clean_paragraphs, load_rules
from fanwen_crawler.pages import article_from_source

PAGE = Path(__file__).parent / "fixtures" / "unprofiled_layout.html"


def extracted():
    return article_from_source(str(PAGE), url="https://www.diyifanwen.example/jianghua/1.html")


def test_breadcrumb_marked_only_by_its_words_gives_the_category():
    assert extracted().category == "讲话稿"


def test_title_keeps_its_count_and_loses_the_site_suffix():
    item = extracted()
    assert item.title == "教师节座谈会校长讲话稿(精选2篇)"
    assert item.declared_count == 2


def test_variants_split_and_clean():
    item = extracted()
    assert [v.title for v in item.variants] == [
        "教师节座谈会校长讲话稿 篇1",
        "教师节座谈会校长讲话稿 篇2",
    ]
    first, second = (v.text.split("\n") for v in item.variants)
    assert first[0] == "各位老师:" and first[-1].endswith("祝老师们节日快乐,身体健康!")
    assert second[-1] == "最后,祝愿大家工作顺利、阖家幸福!"
    assert "第一范文网" not in "\n".join(v.text for v in item.variants)
    assert "第某某个教师节" in first[1]  # placeholders stay


def test_site_and_address_glued_after_a_sentence_are_cut():
    kept, removed = clean_paragraphs(
        ["条件有了很大改善。第一范文网www.diyifanwen.example"], load_rules()
    )
    assert kept == ["条件有了很大改善。"]
    assert removed[0]["rule"] == "watermark_url"


def test_a_site_name_inside_a_sentence_is_left_alone():
    line = "我们在人民网www.people.example上看到了这则消息"
    assert clean_paragraphs([line], load_rules())[0] == [line]
