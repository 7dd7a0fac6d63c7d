"""Writing items into the corpus: upsert articles by URL, variants with their canonical.

Re-crawling a page gives the same rows: an unchanged page only moves ``last_seen``; a
changed page keeps its earlier text in ``article_versions``. A variant whose comparison form
is already stored, or whose text is a near-duplicate of a stored canonical (MinHash/LSH, see
``fanwen_crawler.neardup``), becomes a copy pointing to the first-seen canonical, with its
similarity; it keeps its own row, URL, site and text.
"""

from __future__ import annotations

import functools
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from fanwen_crawler import neardup
from fanwen_crawler.db import driver_rows
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
from fanwen_crawler.textnorm import exact_hash
from fanwen_crawler.timing import timed


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def parse_time(value: str | None) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=None) if value else utcnow()


# Built once on the table: composing an ORM insert per row cost more than SQLite's insert
# (~3.6 ms per article of 2-3 variants, profiled in docs/performance.md).
_INSERT_ARTICLE = insert(Article.__table__).returning(Article.__table__.c.id)
# The statements of every article and variant, as the driver takes them (``driver_rows``).
_ARTICLE_BY_URL = "SELECT id, content_hash FROM articles WHERE url = ?"
_INSERT_VARIANT = (
    "INSERT INTO variants (article_id, variant_index, title, text, char_count, exact_hash, "
    "duplicate_of, similarity, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_INSERT_REMOVALS = "INSERT INTO removals (article_id, rule, location, text) VALUES (?, ?, ?, ?)"


@functools.cache
def _datetime_param(dialect) -> Callable[[datetime], Any]:
    """A datetime as the dialect's driver stores it (SQLAlchemy's own conversion: a string
    in SQLite's format, the datetime itself for psycopg)."""
    return Variant.__table__.c.created_at.type.bind_processor(dialect) or (lambda value: value)


class CorpusWriter:
    """Turns items into rows inside the caller's session; counts what it did."""

    def __init__(self, run_id: int | None = None, near_dup_threshold: float | None = None) -> None:
        self.run_id = run_id
        # FANWEN_NEAR_DUP_THRESHOLD (environment) unless given; see fanwen_crawler.neardup
        self.index = neardup.NearDupIndex(near_dup_threshold)
        self.counts: Counter[str] = Counter()
        self._site_ids: dict[str, int] = {}
        self.stats = None  # a Scrapy stats collector: near-dup time goes to fanwen/time/near_dup

    def prepare(self, items) -> None:
        """Fingerprint the items' texts before their transaction opens: the CPU work then does
        not hold SQLite's one write lock (or, on PostgreSQL, the advisory locks) that other
        writers wait on. ``neardup.fingerprint`` keeps what it computed for the write."""
        with timed(self.stats, "near_dup"):
            for item in items:
                for variant in getattr(item, "variants", ()):
                    neardup.fingerprint(variant.text)

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
        found = driver_rows(session.connection(), _ARTICLE_BY_URL, (item.url,))
        if not found:  # the common case: plain inserts, no ORM objects
            return self._insert_article(session, item, site_id, now)
        article = session.get(Article, found[0][0])
        if article.content_hash == item.html_hash:
            article.last_seen = now
            self.counts["articles/unchanged"] += 1
            return "unchanged"
        outcome = "updated" if self._replace_variants(session, article, item) else "unchanged"
        for column, value in self._article_values(item, site_id, now).items():
            setattr(article, column, value)
        session.flush()
        if outcome == "updated":
            self._add_variants(session, article.id, item.variants, now)
            session.expire(article, ["variants"])  # rows went in through Core
            session.execute(Removal.__table__.delete().where(Removal.article_id == article.id))
            self._add_removals(session, article.id, item)
        self.counts[f"articles/{outcome}"] += 1
        return outcome

    def _article_values(self, item: ArticleItem, site_id: int, now: datetime) -> dict:
        """The article row's columns that every fetch sets (all but url and first_seen)."""
        return {
            "site_id": site_id,
            "category": item.category,
            "title": item.title,
            "declared_count": item.declared_count,
            "fetched_at": parse_time(item.fetched_at),
            "last_seen": now,
            "http_status": item.http_status,
            "encoding": item.encoding,
            "content_hash": item.html_hash,
            "etag": item.etag,
            "last_modified": item.last_modified,
            "raw_html": zlib.compress(item.raw_html) if item.raw_html else None,
            "warnings": item.warnings or None,
            "run_id": self.run_id,
        }

    def _insert_article(self, session: Session, item: ArticleItem, site_id: int, now) -> str:
        """A page not stored before: its article, variants and removals in a few statements."""
        connection = session.connection()
        article_id = connection.execute(
            _INSERT_ARTICLE,
            {"url": item.url, "first_seen": now, **self._article_values(item, site_id, now)},
        ).scalar_one()
        self._add_variants(session, article_id, item.variants, now)
        self._add_removals(session, article_id, item)
        self.counts["articles/new"] += 1
        return "new"

    def _add_removals(self, session: Session, article_id: int, item: ArticleItem) -> None:
        if item.removed:
            rows = [(article_id, r["rule"], r["where"], r["text"]) for r in item.removed]
            driver_rows(session.connection(), _INSERT_REMOVALS, rows, many=True)

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
        """Before a variant goes: its copies elsewhere find a new canonical.

        Its bands leave the index; its copies on other pages are matched again, oldest
        first: each joins the most similar canonical over the threshold or becomes one (the
        oldest usually does, and the others join it). Variants of the same page are all
        going and are never chosen.
        """
        gone = variant.article_id
        session.execute(update(Variant).where(Variant.id == variant.id).values(duplicate_of=None))
        self.index.remove(session, variant.id)
        copies = session.execute(
            select(Variant.id, Variant.article_id, Variant.text, Variant.exact_hash)
            .where(Variant.duplicate_of == variant.id, Variant.article_id != gone)
            .order_by(Variant.id)
        ).all()
        for copy in copies:
            fp = neardup.fingerprint(copy.text)
            self.index.lock(session, fp, copy.exact_hash)
            match = self.index.match(session, copy.exact_hash, fp, copy.article_id, gone)
            session.execute(
                update(Variant)
                .where(Variant.id == copy.id)
                .values(
                    duplicate_of=match.canonical if match else None,
                    similarity=match.similarity if match else None,
                )
            )
            if match is None:
                self.index.add(session, copy.id, fp)
                self.counts["duplicates/promoted"] += 1

    def _add_variants(
        self, session: Session, article_id: int, variants: list[VariantItem], now: datetime
    ) -> None:
        """Insert the variants; each is an exact copy, a near copy, or a new canonical."""
        connection = session.connection()  # straight to the driver: no ORM bookkeeping per row
        created = _datetime_param(connection.dialect)(now)
        for item in variants:
            exact = item.exact_hash or exact_hash(item.text)
            with timed(self.stats, "near_dup"):
                fp = neardup.fingerprint(item.text)
                self.index.lock(session, fp, exact)
                match = self.index.match(session, exact, fp, article_id)
            ((variant_id,),) = driver_rows(
                connection,
                _INSERT_VARIANT,
                (
                    article_id,
                    item.index,
                    item.title,
                    item.text,
                    len(item.text),
                    exact,
                    match.canonical if match else None,
                    match.similarity if match else None,
                    created,
                ),
            )
            self.counts["variants"] += 1
            if match is None:
                with timed(self.stats, "near_dup"):
                    self.index.add(session, variant_id, fp)
            else:
                self.counts[f"duplicates/{match.kind}"] += 1


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
