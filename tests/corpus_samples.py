"""A small corpus written through the real CorpusWriter, for the analysts' tools' tests.

Texts are our own. Three sites, three categories, one text copied onto a second site (so one
copy is hidden from the `corpus` view), two crawl runs and one fetch error.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fanwen_crawler.items import ArticleItem, FetchErrorItem, VariantItem
from fanwen_crawler.pipelines.dedup import DedupPipeline
from fanwen_crawler.storage import CorpusWriter, finish_run, start_run

DRUG = (
    "同志们:今天我们在这里召开禁毒誓师大会,动员全校师生行动起来。\n"
    "一、认清毒品危害。毒品摧残身体,毁坏家庭,禁毒工作关系每一个人。\n"
    "二、落实禁毒责任。各班级要把禁毒教育写进班会计划,做到人人知晓。"
)
SAFETY = (
    "各位老师、同学们:安全是学习和生活的前提。\n"
    "我们要遵守交通规则,不在校园内追逐打闹,远离危险水域。\n"
    "让我们从身边小事做起,共同守护平安校园。"
)
SPRING = "春天来了,校园里的柳树发了新芽。同学们在操场上奔跑,笑声传得很远很远。"
THANKS = (
    "尊敬的各位来宾:感谢大家在百忙之中参加本次表彰大会。\n"
    "过去一年,全体员工团结协作,完成了各项任务。禁毒宣传月活动也取得了好成绩。"
)
LONG_REPORT = "工作总结:" + "本季度我们按计划推进各项工作,稳中有进。" * 40
COPY_EDITED = DRUG  # copied verbatim onto another site: an exact duplicate


def article(url: str, site: str, category: str, title: str, *texts: str, when: str, html: str = ""):
    item = ArticleItem(
        url=url,
        site=site,
        category=category,
        title=title,
        variants=[
            VariantItem(i, f"{title}{i}", t.split("\n"), text=t) for i, t in enumerate(texts, 1)
        ],
        fetched_at=when,
        html_hash=html or url,
    )
    return DedupPipeline().process_item(item)


ARTICLES = [
    (
        "nuenian",
        "https://www.nuenian.example/fanwen/yanjiangzhici/1.html",
        "范文/演讲致辞",
        "禁毒誓师大会上讲话",
        (DRUG, SAFETY),
        "2026-01-02T08:00:00",
    ),
    (
        "nuenian",
        "https://www.nuenian.example/fanwen/zuowen/2.html",
        "范文/作文",
        "春天的校园",
        (SPRING,),
        "2026-01-02T08:05:00",
    ),
    (
        "wenmi",
        "https://wenmi.example/yanjiang/3.html",
        "演讲稿/致辞",
        "表彰大会致辞",
        (THANKS,),
        "2026-01-03T09:00:00",
    ),
    (
        "wenmi",
        "https://wenmi.example/yanjiang/4.html",
        "演讲稿/致辞",
        "禁毒大会讲话稿",
        (COPY_EDITED,),
        "2026-01-03T09:10:00",
    ),
    (
        "fanwenku",
        "https://fanwenku.example/zongjie/5.html",
        "工作总结",
        "季度工作总结",
        (LONG_REPORT,),
        "2026-01-04T10:00:00",
    ),
]
CANONICAL_TEXTS = 5  # DRUG, SAFETY, SPRING, THANKS, LONG_REPORT; the copy is hidden


def build_corpus(engine: Engine) -> None:
    """Write the sample articles in two crawl runs, plus one fetch error."""
    with Session(engine) as session, session.begin():
        for batch in (ARTICLES[:2], ARTICLES[2:]):
            run_id = start_run(session, "sample")
            writer = CorpusWriter(run_id=run_id)
            for site, url, category, title, texts, when in batch:
                writer.write(session, article(url, site, category, title, *texts, when=when))
            finish_run(session, run_id, "finished", "finished", dict(writer.counts), {})
        writer.write(
            session,
            FetchErrorItem(
                url="https://wenmi.example/yanjiang/9.html", kind="http_404", reason="HTTP 404"
            ),
        )


@contextmanager
def fresh_postgres_schema(postgres_url: str):
    """A URL whose connections live in a new, empty schema; dropped afterwards.

    pg_trgm is created in ``public`` first (extensions are per database, and a schema dropped
    with CASCADE would take it along), and ``public`` stays on the search path.
    """
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url)
    with admin.begin() as c:
        c.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        c.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as c:
            c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
