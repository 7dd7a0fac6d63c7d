"""Texts for the near-duplicate tests, written for these tests (not copied from any site).

Two different speeches on one topic (禁毒) that open with the same template paragraph, and
copies of the first one as sites make them: a county name and a few words changed, the whole
text in traditional characters, a paragraph dropped.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from fanwen_crawler.items import ArticleItem, VariantItem
from fanwen_crawler.pipelines.dedup import DedupPipeline
from fanwen_crawler.storage import CorpusWriter

TEMPLATE_OPENING = (
    "尊敬的各位领导、各位来宾,老师们、同学们:大家好!今天,我们在这里隆重集会,"
    "我谨代表县禁毒委员会,向长期战斗在禁毒工作第一线的同志们表示衷心的感谢!"
)

SPEECH_A = [
    TEMPLATE_OPENING,
    "毒品是人类社会的公害。近年来,青山县坚持把禁毒工作摆在突出位置,全县吸毒人员数量"
    "逐年下降,毒品案件发案率明显降低,禁毒宣传教育覆盖到了每一所学校和每一个村居。",
    "但是我们也要清醒地看到,境外毒品渗透的压力依然存在,新型毒品花样翻新,网络贩毒手段"
    "更加隐蔽,个别乡镇对禁毒工作重视不够,排查管控存在漏洞,这些问题必须认真加以解决。",
    "第一,要抓好源头治理。公安部门要加大打击力度,对制贩毒品的犯罪分子发现一起、查处一起,"
    "决不手软;交通、邮政、快递等部门要守住物流关口,切断毒品流通的渠道。",
    "第二,要抓好宣传教育。教育部门要把禁毒知识列入课堂教学,每学期至少开展一次专题活动;"
    "各村居要利用广播、宣传栏、文艺演出等形式,让远离毒品的道理家喻户晓。",
    "第三,要抓好戒毒康复。卫生健康、民政、人社等部门要密切配合,为戒毒人员提供就业培训和"
    "生活帮扶,帮助他们重新融入社会,防止复吸。",
    "同志们,禁毒工作事关千家万户的幸福安宁。让我们行动起来,人人参与禁毒,共建无毒家园!",
]

# Same topic, same template opening, different speech.
SPEECH_B = [
    TEMPLATE_OPENING,
    "六月二十六日是国际禁毒日。学校是禁毒教育的主阵地,青少年是禁毒教育的重点人群。"
    "今天的活动,就是要让每一位同学都知道毒品的危害,学会拒绝毒品的方法。",
    "有的同学会问,毒品离我们很远吗?其实不然。一些新型毒品被伪装成奶茶、糖果、邮票,"
    "外表看起来毫无危险,很容易让缺乏经验的青少年上当受骗,一旦沾上就很难摆脱。",
    "在这里,我给同学们提三点希望。一是不好奇,对来历不明的食品饮料要提高警惕;二是不轻信,"
    "不听信所谓减肥、提神的说法;三是会求助,遇到有人引诱吸毒要及时告诉老师和家长。",
    "老师们也要当好禁毒教育的引路人,把禁毒知识融入班会、主题团日和家长会,"
    "学校将把禁毒教育开展情况纳入班级考核。",
    "同学们,珍爱生命是我们每个人的责任。希望大家从我做起,从现在做起,做一名阳光少年!",
]


def edited(paragraphs: list[str]) -> list[str]:
    """Another county, a date and a few words changed, as a copying site does."""
    text = "\n".join(paragraphs)
    for old, new in [("青山县", "白河县"), ("县禁毒委员会", "区禁毒委员会"), ("每学期", "每学年")]:
        text = text.replace(old, new)
    return text.split("\n")


def dropped(paragraphs: list[str], index: int = 3) -> list[str]:
    return paragraphs[:index] + paragraphs[index + 1 :]


def traditional(paragraphs: list[str]) -> list[str]:
    import opencc

    convert = opencc.OpenCC("s2t").convert
    return [convert(p) for p in paragraphs]


def with_placeholders(paragraphs: list[str]) -> list[str]:
    return [re.sub("青山县", "XX县", p) for p in paragraphs]


def joined(paragraphs: list[str]) -> str:
    return "\n".join(paragraphs)


def article(url: str, site: str, *texts: list[str], html: str | None = None) -> ArticleItem:
    """An article item of one or more texts (lists of paragraphs), hashed as a crawl does."""
    item = ArticleItem(
        url=url,
        site=site,
        category="范文/演讲致辞",
        title="禁毒讲话",
        variants=[
            VariantItem(i, f"禁毒讲话{i}", paras, text=joined(paras))
            for i, paras in enumerate(texts, 1)
        ],
        fetched_at="2026-06-26T00:00:00",
        html_hash=html or url,
    )
    return DedupPipeline().process_item(item)


def write(engine, *items, threshold: float | None = None) -> CorpusWriter:
    """One batch in one transaction, through a new writer (as one crawl run would)."""
    writer = CorpusWriter(near_dup_threshold=threshold)
    with Session(engine) as session, session.begin():
        for item in items:
            writer.write(session, item)
    return writer


if __name__ == "__main__":  # a separate writer process: DB_URL KEY... (see test_dedup.py)
    import sys

    from fanwen_crawler.db import open_database

    TEXTS = {"a": SPEECH_A, "b": edited(SPEECH_A), "c": traditional(SPEECH_A)}
    TEXTS["d"] = dropped(SPEECH_A)
    engine = open_database(sys.argv[1])
    for key in sys.argv[2:]:
        write(engine, article(f"https://{key}.example/1.html", key, TEXTS[key]))
