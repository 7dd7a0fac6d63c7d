"""SQLite search index: FTS5 merges 16 segments at a time instead of 4

FTS5 keeps its index as segments that it merges as they accumulate (``automerge``, default
4): every indexed trigram is rewritten once per level, and the levels grow with the corpus.
With 16 the index has about half as many levels, so each stored text costs fewer rewrites
and that cost grows half as fast (``benchmarks/dedup_scaling.py``, docs/dedup.md §6); a
query reads a few more segments. The setting lives in the index's own config table.
PostgreSQL's trigram indexes are not affected.

Revision ID: 0005_search_automerge
Revises: 0004_band_keys
Create Date: 2026-11-29 15:05:00
"""

from alembic import op

revision = "0005_search_automerge"
down_revision = "0004_band_keys"
branch_labels = None
depends_on = None

SQLITE_DEFAULT = 4  # FTS5's own default


def _automerge(segments: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"INSERT INTO corpus_fts(corpus_fts, rank) VALUES ('automerge', {segments})")


def upgrade() -> None:
    _automerge(16)


def downgrade() -> None:
    _automerge(SQLITE_DEFAULT)
