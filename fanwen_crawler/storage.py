"""Writing items into the corpus: upsert articles by URL, variants with their canonical.

Re-crawling a page gives the same rows: an unchanged page only moves ``last_seen``; a
changed page keeps its earlier text in ``article_versions``. A variant whose comparison form
is already stored becomes a copy pointing to the first-seen canonical.
"""

from __future__ import annotations

import zlib
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fanwen_crawler.items import ArticleItem, FetchErrorItem, VariantItem
from fanwen_crawler.models import (
    Article,
    ArticleVersion,
    CrawlRun,
    FetchError,
    Removal,
    Site,
    Variant,
)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def parse_time(value: str | None) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=None) if value else utcnow()


class CorpusWriter:
    """Turns items into rows inside the caller's session; counts what it did."""

    def __init__(self, run_id: int | None = None) -> None:
        self.run_id = run_id
        self.counts: Counter[str] = Counter()
        self._site_ids: dict[str, int] = {}

    def site_id(self, session: Session, name: str, base_url: str | None = None) -> int:
        if name not in self._site_ids:
            site = session.scalar(select(Site).where(Site.name == name))
            if site is None:
                site = Site(name=name, base_url=base_url)
                session.add(site)
                session.flush()
            self._site_ids[name] = site.id
        return self._site_ids[name]

    def write(self, session: Session, item: ArticleItem | FetchErrorItem) -> str:
        if isinstance(item, FetchErrorItem):
            return self.write_error(session, item)
        return self.write_article(session, item)

    def write_error(self, session: Session, item: FetchErrorItem) -> str:
        session.add(
            FetchError(
                run_id=self.run_id,
                url=item.url,
                site=item.site,
                kind=item.kind,
                reason=item.reason,
                http_status=item.http_status,
                occurred_at=utcnow(),
            )
        )
        self.counts[f"errors/{item.kind}"] += 1
        return "error"

    def write_article(self, session: Session, item: ArticleItem) -> str:
        now = utcnow()
        site_id = self.site_id(session, item.site)
        article = session.scalar(select(Article).where(Article.url == item.url))
        if article is not None and article.content_hash == item.html_hash:
            article.last_seen = now
            self.counts["articles/unchanged"] += 1
            return "unchanged"
        if article is None:
            article = Article(url=item.url, site_id=site_id, first_seen=now)
            session.add(article)
            outcome = "new"
        else:
            outcome = "updated" if self._replace_variants(session, article, item) else "unchanged"
        article.site_id = site_id
        article.category = item.category
        article.title = item.title
        article.declared_count = item.declared_count
        article.fetched_at = parse_time(item.fetched_at)
        article.last_seen = now
        article.http_status = item.http_status
        article.encoding = item.encoding
        article.content_hash = item.html_hash
        article.etag = item.etag
        article.last_modified = item.last_modified
        article.raw_html = zlib.compress(item.raw_html) if item.raw_html else None
        article.warnings = item.warnings or None
        article.run_id = self.run_id
        session.flush()
        if outcome == "new" or outcome == "updated":
            self._add_variants(session, article, item.variants, now)
            session.execute(Removal.__table__.delete().where(Removal.article_id == article.id))
            session.add_all(
                Removal(article_id=article.id, rule=r["rule"], location=r["where"], text=r["text"])
                for r in item.removed
            )
        self.counts[f"articles/{outcome}"] += 1
        return outcome

    def _replace_variants(self, session: Session, article: Article, item: ArticleItem) -> bool:
        """Keep the old text as a version and drop the old variants; False if texts are equal."""
        old = [(v.index, v.title, v.text) for v in article.variants]
        new = [(v.index, v.title, v.text) for v in item.variants]
        if old == new:
            return False
        session.add(
            ArticleVersion(
                article_id=article.id,
                content_hash=article.content_hash,
                title=article.title,
                fetched_at=article.fetched_at,
                replaced_at=utcnow(),
                variants=[{"index": i, "title": t, "text": x} for i, t, x in old],
            )
        )
        for variant in list(article.variants):
            self._retire(session, variant)
        article.variants.clear()
        session.flush()
        return True

    def _retire(self, session: Session, variant: Variant) -> None:
        """Before a canonical goes, its oldest copy becomes the canonical of the others."""
        if variant.duplicate_of is not None:
            return
        heir = session.scalar(
            select(Variant.id)
            .where(Variant.duplicate_of == variant.id)
            .order_by(Variant.id)
            .limit(1)
        )
        if heir is None:
            return
        session.execute(
            update(Variant).where(Variant.id == heir).values(duplicate_of=None, similarity=None)
        )
        session.execute(
            update(Variant).where(Variant.duplicate_of == variant.id).values(duplicate_of=heir)
        )

    def _add_variants(
        self, session: Session, article: Article, variants: list[VariantItem], now: datetime
    ) -> None:
        for item in variants:
            canonical = session.scalar(
                select(Variant.id)
                .where(Variant.exact_hash == item.exact_hash, Variant.duplicate_of.is_(None))
                .order_by(Variant.id)
                .limit(1)
            )
            session.add(
                Variant(
                    article_id=article.id,
                    index=item.index,
                    title=item.title,
                    text=item.text,
                    char_count=len(item.text),
                    exact_hash=item.exact_hash,
                    duplicate_of=canonical,
                    similarity=1.0 if canonical else None,
                    created_at=now,
                )
            )
            session.flush()  # the next variant of this batch must see this one
            self.counts["variants"] += 1
            if canonical:
                self.counts["duplicates/exact"] += 1


def start_run(session: Session, spider: str) -> int:
    run = CrawlRun(spider=spider, started_at=utcnow(), status="running")
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session, run_id: int, status: str, reason: str, counts: dict, stats: dict
) -> None:
    run = session.get(CrawlRun, run_id)
    if run is None:
        return
    run.finished_at = utcnow()
    run.status = status
    run.finish_reason = reason
    run.counts = counts
    run.stats = stats
