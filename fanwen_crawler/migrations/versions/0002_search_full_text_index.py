"""Full-text search over the corpus: FTS5 trigram on SQLite, pg_trgm GIN indexes on PostgreSQL

SQLite: ``corpus_fts`` is an FTS5 table (trigram tokenizer, so Chinese needs no word
segmenter) holding the title and text of every *canonical* variant (``duplicate_of IS
NULL``), keyed by ``rowid = variants.id = corpus.id``. Triggers keep it in step on INSERT,
DELETE and UPDATE OF title, text, duplicate_of: a variant that becomes a copy leaves the index,
a copy promoted to canonical joins it.

PostgreSQL: partial GIN trigram indexes on ``variants.text`` and ``variants.title`` (WHERE
duplicate_of IS NULL, the ``corpus`` view's own condition), so ``ILIKE '%term%'`` over the
view is indexed; PostgreSQL keeps indexes in step by itself.

Careful: a later batch migration that recreates ``variants`` on SQLite drops these triggers;
tests/test_search.py checks they exist at head.

Revision ID: 0002_search
Revises: 0001
Create Date: 2026-11-29 12:00:00
"""

from alembic import op

revision = "0002_search"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE corpus_fts USING fts5(title, text, tokenize='trigram')",
    "INSERT INTO corpus_fts(rowid, title, text) "
    "SELECT id, title, text FROM variants WHERE duplicate_of IS NULL",
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
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS corpus_fts_update",
    "DROP TRIGGER IF EXISTS corpus_fts_delete",
    "DROP TRIGGER IF EXISTS corpus_fts_insert",
    "DROP TABLE IF EXISTS corpus_fts",
]
PG_INDEXES = {"ix_variants_text_trgm": "text", "ix_variants_title_trgm": "title"}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # The operator class lives in whichever schema holds the extension: name it.
        schema = bind.exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        ).scalar_one()
        for name, column in PG_INDEXES.items():
            op.execute(
                f'CREATE INDEX {name} ON variants USING gin ({column} "{schema}".gin_trgm_ops) '
                "WHERE duplicate_of IS NULL"
            )
    # Other databases: no index; `fanwen search` falls back to a scan.


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        for name in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
