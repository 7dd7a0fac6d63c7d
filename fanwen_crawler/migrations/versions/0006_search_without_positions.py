"""SQLite search index without trigram positions (FTS5 ``detail=none``)

The trigram index of migration 0002 kept every trigram's positions in every text. Its upkeep
is a log-structured merge that rewrites each indexed entry once per level, and the positions
are most of what it rewrites: per stored text, the index cost grew with the corpus (about
twice as much at 100,000 texts as at 1,000; ``benchmarks/dedup_scaling.py``, docs/dedup.md
§6). Without positions the index answers which texts hold a trigram, which is all substring
search needs: ``corpus_fts.text LIKE '%禁毒誓师%'`` is answered from the index (every trigram
of the pattern present), then checked against the text; ``fanwen search`` ANDs a term's
trigrams in ``MATCH`` and confirms the substring. What it no longer answers: FTS5 phrase
queries (``MATCH '"禁毒誓师"'``, and so Datasette's table search, which quotes terms as
phrases) and ``snippet()``/``highlight()``; the canned ``search`` query cuts its snippet with
``instr``/``substr``.

Same rows, triggers and merge fan-in (16, migration 0005) as before; the index is rebuilt
from the canonical variants. PostgreSQL's trigram indexes are not affected.

Revision ID: 0006_search_without_positions
Revises: 0005_search_automerge
Create Date: 2026-11-29 17:00:00
"""

from alembic import op

revision = "0006_search_without_positions"
down_revision = "0005_search_automerge"
branch_labels = None
depends_on = None

TRIGGERS = [
    """CREATE TRIGGER corpus_fts_insert AFTER INSERT ON variants
    WHEN new.duplicate_of IS NULL BEGIN
      INSERT INTO corpus_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER corpus_fts_delete AFTER DELETE ON variants BEGIN
      DELETE FROM corpus_fts WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER corpus_fts_update AFTER UPDATE OF title, text, duplicate_of ON variants
    BEGIN
      DELETE FROM corpus_fts WHERE rowid = old.id;
      INSERT INTO corpus_fts(rowid, title, text)
        SELECT new.id, new.title, new.text WHERE new.duplicate_of IS NULL;
    END""",
]


def _recreate(detail: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("corpus_fts_update", "corpus_fts_delete", "corpus_fts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS corpus_fts")
    op.execute(
        "CREATE VIRTUAL TABLE corpus_fts USING fts5(title, text, tokenize='trigram', "
        f"detail={detail})"
    )
    op.execute("INSERT INTO corpus_fts(corpus_fts, rank) VALUES ('automerge', 16)")
    op.execute(
        "INSERT INTO corpus_fts(rowid, title, text) "
        "SELECT id, title, text FROM variants WHERE duplicate_of IS NULL"
    )
    for statement in TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    _recreate("none")


def downgrade() -> None:
    _recreate("full")
