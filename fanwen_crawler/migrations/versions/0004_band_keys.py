"""minhash_bands keyed by 64-bit integer buckets: one B-tree instead of a table and an index

Before: ``(id, variant_id, band, bucket VARCHAR)`` with an index on ``(band, bucket)`` and
none on ``variant_id``. After: ``(bucket BIGINT, variant_id, band)`` with the primary key
``(bucket, variant_id)`` (WITHOUT ROWID on SQLite) and an index on ``variant_id`` (for
deleting a variant's bands and for the foreign key's cascade). The band number is mixed into
the bucket (``neardup.band_key``), so a look-up is ``bucket IN (…)``. Keys of existing rows
are converted, not recomputed: no text is re-read. ``variants`` is not touched, so the
search triggers on it stay.

Revision ID: 0004_band_keys
Revises: 0003_signatures
Create Date: 2026-11-29 14:40:00
"""

import sqlalchemy as sa
from alembic import op

from fanwen_crawler.neardup import band_key

revision = "0004_band_keys"
down_revision = "0003_signatures"
branch_labels = None
depends_on = None

CHUNK = 10_000  # rows converted per round trip


def _copy(select_sql: str, insert_sql: str, convert) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(select_sql)).all()  # bounded by the index, not the corpus text
    for start in range(0, len(rows), CHUNK):
        bind.execute(sa.text(insert_sql), [convert(row) for row in rows[start : start + CHUNK]])


def upgrade() -> None:
    op.rename_table("minhash_bands", "minhash_bands_v3")
    op.create_table(
        "minhash_bands",
        sa.Column("bucket", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"], ondelete="CASCADE"),
        # named: on PostgreSQL minhash_bands_v3 still holds the index minhash_bands_pkey
        sa.PrimaryKeyConstraint("bucket", "variant_id", name="pk_minhash_bands"),
        sqlite_with_rowid=False,
    )
    _copy(
        "SELECT variant_id, band, bucket FROM minhash_bands_v3",
        "INSERT INTO minhash_bands (bucket, variant_id, band) VALUES (:bucket, :variant_id, :band)",
        lambda r: {
            "bucket": band_key(r.band, int(r.bucket, 16)),
            "variant_id": r.variant_id,
            "band": r.band,
        },
    )
    op.drop_table("minhash_bands_v3")
    op.create_index("ix_minhash_bands_variant_id", "minhash_bands", ["variant_id"])


def downgrade() -> None:
    op.drop_index("ix_minhash_bands_variant_id", table_name="minhash_bands")
    op.rename_table("minhash_bands", "minhash_bands_v4")
    op.create_table(
        "minhash_bands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    # band_key is its own inverse up to the sign: XOR the same constant back
    _copy(
        "SELECT variant_id, band, bucket FROM minhash_bands_v4",
        "INSERT INTO minhash_bands (variant_id, band, bucket) VALUES (:variant_id, :band, :bucket)",
        lambda r: {
            "variant_id": r.variant_id,
            "band": r.band,
            "bucket": f"{band_key(r.band, r.bucket % 2**64) % 2**64:016x}",
        },
    )
    op.drop_table("minhash_bands_v4")
    op.create_index("ix_minhash_bands_band_bucket", "minhash_bands", ["band", "bucket"])
