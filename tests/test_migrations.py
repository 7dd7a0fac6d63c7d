"""Alembic: one line of migrations, and the models agree with what they create."""

import hashlib
from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from fanwen_crawler import neardup
from fanwen_crawler.db import alembic_config, make_engine
from fanwen_crawler.fts import include_name
from fanwen_crawler.models import Base


def test_migrations_have_a_single_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_models_match_the_migrated_schema(engine):
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"include_name": include_name}),
            Base.metadata,
        )
    assert diff == []


def _band_rows_before_0004(text_: str) -> list[tuple[int, str]]:
    """(band, bucket) as migration 0001–0003 stored them: the band's BLAKE2b as hex."""
    sig = neardup.fingerprint(text_).signature
    bands, rows = neardup.band_layout()
    raw = sig.astype("<u4").tobytes()
    return [
        (
            band,
            hashlib.blake2b(
                raw[band * rows * 4 : (band + 1) * rows * 4], digest_size=8
            ).hexdigest(),
        )
        for band in range(bands)
    ]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_0004_converts_band_keys_and_back(database, sqlite_url, request):
    """Rows stored before 0004 get the keys a fresh fingerprint computes now (so their
    copies are still found), and downgrading gives the old rows back."""
    url = sqlite_url if database == "sqlite" else request.getfixturevalue("fresh_postgres_url")
    engine = make_engine(url)
    config = alembic_config(url)
    body = "禁毒工作关系到千家万户的幸福安宁,我们要坚持预防为主、综合治理的方针。" * 4
    with engine.begin() as c:
        config.attributes["connection"] = c
        command.upgrade(config, "0003_signatures")
        c.execute(text("INSERT INTO sites (name) VALUES ('s')"))
        c.execute(
            text(
                "INSERT INTO articles (url, site_id, category, title, fetched_at, first_seen,"
                " last_seen, http_status, encoding, content_hash)"
                " VALUES ('u', 1, '', 't', :t, :t, :t, 200, 'utf-8', 'h')"
            ),
            {"t": datetime(2026, 11, 29)},
        )
        c.execute(
            text(
                "INSERT INTO variants (article_id, variant_index, title, text, char_count,"
                " exact_hash, created_at) VALUES (1, 1, 't', :body, 1, 'e', :t)"
            ),
            {"body": body, "t": datetime(2026, 11, 29)},
        )
        old = _band_rows_before_0004(body)
        c.execute(
            text("INSERT INTO minhash_bands (variant_id, band, bucket) VALUES (1, :band, :bucket)"),
            [{"band": b, "bucket": k} for b, k in old],
        )
    with engine.begin() as c:
        config.attributes["connection"] = c
        command.upgrade(config, "head")
        stored = c.execute(text("SELECT band, bucket FROM minhash_bands ORDER BY band")).all()
    assert [bucket for _, bucket in stored] == neardup.fingerprint(body).buckets
    with engine.begin() as c:
        config.attributes["connection"] = c
        command.downgrade(config, "0003_signatures")
        back = c.execute(text("SELECT band, bucket FROM minhash_bands ORDER BY band")).all()
    assert [tuple(row) for row in back] == old
    engine.dispose()


def test_0006_rebuilds_the_search_index_without_positions_and_back(sqlite_url):
    """Down to 0005 the index answers phrase queries again; up, LIKE finds the same texts.
    Both rebuild it from the canonical variants, copies left out."""
    from corpus_samples import build_corpus

    engine = make_engine(sqlite_url)
    config = alembic_config(sqlite_url)
    phrase = (
        "SELECT rowid FROM corpus_fts WHERE corpus_fts MATCH 'text: \"禁毒誓师\"' ORDER BY rowid"
    )
    like = "SELECT rowid FROM corpus_fts WHERE text LIKE '%禁毒誓师%' ORDER BY rowid"
    indexed = "SELECT rowid FROM corpus_fts ORDER BY rowid"
    with engine.begin() as c:
        config.attributes["connection"] = c
        command.upgrade(config, "head")
    build_corpus(engine)
    with engine.begin() as c:
        canonical = c.execute(text("SELECT id FROM corpus ORDER BY id")).scalars().all()
        found = c.execute(text(like)).scalars().all()
        config.attributes["connection"] = c
        command.downgrade(config, "0005_search_automerge")
        assert c.execute(text(phrase)).scalars().all() == found and found
        assert c.execute(text(indexed)).scalars().all() == canonical
        command.upgrade(config, "head")
        assert c.execute(text(like)).scalars().all() == found
        assert c.execute(text(indexed)).scalars().all() == canonical
        ddl = c.execute(text("SELECT sql FROM sqlite_master WHERE name = 'corpus_fts'")).scalar()
    assert "detail=none" in ddl
    engine.dispose()
