"""The corpus schema: SQLAlchemy 2.0 typed models (created and migrated by Alembic).

The analysts' contract is the ``corpus`` view (one row per distinct cleaned text), defined in
the migrations; ``docs/schema.md`` describes every table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Site(Base):
    """A crawled website, named by its spider profile (or host, for the generic spider)."""

    __tablename__ = "sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    base_url: Mapped[str | None] = mapped_column(String(500))


class CrawlRun(Base):
    """One run of one spider: when, how it ended, what it counted."""

    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    spider: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(
        String(20), default="running"
    )  # running|finished|failed|interrupted
    finish_reason: Mapped[str | None] = mapped_column(String(200))
    counts: Mapped[dict | None] = mapped_column(JSON)
    stats: Mapped[dict | None] = mapped_column(JSON)


class Article(Base):
    """One article page (continuation pages merged), keyed by its URL."""

    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    category: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(500))
    declared_count: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    http_status: Mapped[int] = mapped_column(Integer, default=200)
    encoding: Mapped[str] = mapped_column(String(40), default="utf-8")
    content_hash: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    raw_html: Mapped[bytes | None] = mapped_column(LargeBinary)  # zlib, when kept
    warnings: Mapped[list | None] = mapped_column(JSON)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))

    site: Mapped[Site] = relationship()
    variants: Mapped[list[Variant]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="Variant.index"
    )


class ArticleVersion(Base):
    """An earlier text of an article that changed on a later crawl."""

    __tablename__ = "article_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    replaced_at: Mapped[datetime] = mapped_column(DateTime)
    variants: Mapped[list] = mapped_column(JSON)  # [{index, title, text}]


class Variant(Base):
    """One text of an article. Copies point to their canonical through ``duplicate_of``."""

    __tablename__ = "variants"
    __table_args__ = (UniqueConstraint("article_id", "variant_index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column("variant_index", Integer)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    char_count: Mapped[int] = mapped_column(Integer)
    exact_hash: Mapped[str] = mapped_column(String(64), index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("variants.id"), index=True)
    similarity: Mapped[float | None] = mapped_column(Float)  # to the canonical; 1.0 = exact
    created_at: Mapped[datetime] = mapped_column(DateTime)

    article: Mapped[Article] = relationship(back_populates="variants")


class MinHashBand(Base):
    """Near-duplicate index: one row per LSH band of a canonical variant, keyed by its bucket.

    One B-tree keyed (bucket, variant_id) (WITHOUT ROWID on SQLite): a look-up probes it once
    per band, and its 64-bit integer keys keep it small enough to stay in the page cache
    (``fanwen_crawler.neardup``; migration ``0004_band_keys``).
    """

    __tablename__ = "minhash_bands"
    bucket: Mapped[int] = mapped_column(BigInteger, autoincrement=False)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), index=True
    )
    band: Mapped[int] = mapped_column(SmallInteger)
    __table_args__ = (
        # named: on PostgreSQL the table it replaced still held minhash_bands_pkey then
        PrimaryKeyConstraint("bucket", "variant_id", name="pk_minhash_bands"),
        {"sqlite_with_rowid": False},
    )


class MinHashSignature(Base):
    """A canonical variant's MinHash signature (``NUM_PERM`` little-endian uint32 values).

    Confirming a near-duplicate candidate starts from it: candidates whose estimated
    similarity is far below the threshold are set aside without re-reading their text.
    """

    __tablename__ = "minhash_signatures"
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class FetchError(Base):
    """A page that gave no article, and why."""

    __tablename__ = "fetch_errors"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    site: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)


class Removal(Base):
    """The cleaning audit: what a rule removed from an article, and where."""

    __tablename__ = "removals"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
