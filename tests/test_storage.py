"""Storage on a real temporary SQLite file: upserts, exact duplicates, history, errors."""

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from fanwen_crawler.items import ArticleItem, FetchErrorItem, VariantItem
from fanwen_crawler.models import ArticleVersion, FetchError, Variant
from fanwen_crawler.pipelines.dedup import DedupPipeline
from fanwen_crawler.storage import CorpusWriter

from conftest import CORPUS_CONTRACT


def article(url: str, *texts: str, site: str = "nuenian", html: str = "h") -> ArticleItem:
    item = ArticleItem(
        url=url,
        site=site,
        category="范文/演讲致辞",
        title="禁毒讲话",
        variants=[VariantItem(i, f"禁毒讲话{i}", [t], text=t) for i, t in enumerate(texts, 1)],
        fetched_at="2026-01-01T00:00:00",
        html_hash=html,
    )
    return DedupPipeline().process_item(item)


def write(engine, *items) -> CorpusWriter:
    writer = CorpusWriter()
    with Session(engine) as session, session.begin():
        for item in items:
            writer.write(session, item)
    return writer


def corpus_rows(engine):
    with engine.connect() as c:
        return c.execute(text("SELECT url, variant_index, text FROM corpus ORDER BY id")).all()


def test_sqlite_runs_in_wal_mode(engine):
    with engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_corpus_view_has_the_contract_columns(engine):
    write(engine, article("https://a.example/1.html", "同志们:正文。"))
    with engine.connect() as c:
        columns = set(c.execute(text("SELECT * FROM corpus")).keys())
    assert set(CORPUS_CONTRACT) <= columns


def test_writing_the_same_page_twice_gives_the_same_rows(engine):
    write(engine, article("https://a.example/1.html", "甲文。", "乙文。"))
    first = corpus_rows(engine)
    writer = write(engine, article("https://a.example/1.html", "甲文。", "乙文。"))
    assert corpus_rows(engine) == first
    assert writer.counts["articles/unchanged"] == 1


def test_exact_copy_on_another_site_points_to_the_first_seen(engine):
    write(engine, article("https://a.example/1.html", "同志们:正文,一样。"))
    write(engine, article("https://b.example/9.html", "同志们: 正文,一样。", site="wenmi"))
    with Session(engine) as s:
        first, copy = s.scalars(select(Variant).order_by(Variant.id)).all()
    assert copy.duplicate_of == first.id and copy.similarity == 1.0
    assert [r.url for r in corpus_rows(engine)] == ["https://a.example/1.html"]


def test_changed_page_keeps_its_earlier_text(engine):
    write(engine, article("https://a.example/1.html", "旧文。", html="h1"))
    write(engine, article("https://a.example/1.html", "新文。", html="h2"))
    assert [r.text for r in corpus_rows(engine)] == ["新文。"]
    with Session(engine) as s:
        version = s.scalars(select(ArticleVersion)).one()
    assert version.variants[0]["text"] == "旧文。"


def test_changed_canonical_hands_over_to_its_copy(engine):
    write(engine, article("https://a.example/1.html", "共同文。", html="h1"))
    write(engine, article("https://b.example/2.html", "共同文。", html="x"))
    write(engine, article("https://a.example/1.html", "改后文。", html="h2"))
    assert sorted(r.text for r in corpus_rows(engine)) == ["共同文。", "改后文。"]


def test_fetch_errors_are_rows_of_their_own(engine):
    write(
        engine, FetchErrorItem(url="https://a.example/x.html", kind="http_404", reason="HTTP 404")
    )
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(FetchError)) == 1
    assert corpus_rows(engine) == []
