"""Database URLs, engines and migrations.

The URL comes from ``--db``, else ``FANWEN_DATABASE_URL`` in the environment, else the Scrapy
setting of that name, else ``sqlite:///data/corpus.sqlite``; a bare path is a SQLite file.
Passwords never reach logs: print ``redact(url)``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from fanwen_crawler.paths import package_path

DEFAULT_URL = "sqlite:///data/corpus.sqlite"
# PostgreSQL advisory-lock key ("FWMG") that serialises migrations between workers.
MIGRATION_LOCK = 0x46574D47
MIGRATIONS_DIR = package_path("migrations")  # a real folder, even from a zipped egg


def resolve_url(explicit: str | None = None, settings: Any = None) -> str:
    """The database URL by the contract's order of precedence."""
    url = (
        explicit
        or os.environ.get("FANWEN_DATABASE_URL")
        or (settings.get("FANWEN_DATABASE_URL") if settings is not None else None)
        or DEFAULT_URL
    )
    if "://" not in url:  # a bare path
        url = f"sqlite:///{url}"
    return url


def redact(url: str) -> str:
    """The URL with its password masked, safe to print and log."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the crawl's writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 64 MiB of page cache (the default is 2 MiB): the near-duplicate band index outgrows the
    # default past ~10k texts and every look-up then reads from disk (docs/dedup.md §6).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # SQLite's lower() folds ASCII only; search confirms terms as the trigram index matched
    # them, with Unicode case folded (ＷＯＲＤ and ｗｏｒｄ, Ä and ä).
    dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)


def _casefold(value: str | None) -> str | None:
    return value.casefold() if isinstance(value, str) else value


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for the URL; SQLite files get WAL mode, a busy timeout and their folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Workers started together on an empty database: one migrates, the others wait
            # for its commit and then find the schema at head (PostgreSQL's DDL is
            # transactional; the lock is released when this transaction ends).
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str) -> Engine:
    """Engine for ``url`` with the schema migrated to head."""
    engine = make_engine(url)
    migrate(engine)
    return engine


def driver_rows(conn: Connection, sql: str, params, many: bool = False) -> list[tuple]:
    """Run ``sql`` (a ``?`` per parameter) on the connection's own DBAPI cursor, inside its
    transaction; the rows it returns, if any.

    For the look-ups and inserts the store makes for every article and text, with plain
    parameters (integers, strings, bytes; a date through its column type's
    ``bind_processor``): SQLAlchemy's execution path (statement cache, parameter processing,
    result objects) cost more than SQLite's own work for these (profiled, docs/performance.md).
    """
    dialect = conn.dialect
    if dialect.paramstyle != "qmark":  # psycopg's: %s (no % in these statements)
        sql = sql.replace("?", "%s")
    dbapi_connection = conn.connection.dbapi_connection
    cursor = dbapi_connection.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
            return []
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []
    except dialect.loaded_dbapi.Error as error:
        # As SQLAlchemy would raise it (OperationalError, IntegrityError, …): the store
        # retries a batch on those, as for its other statements.
        raise DBAPIError.instance(
            sql,
            params,
            error,
            dialect.loaded_dbapi.Error,
            connection_invalidated=dialect.is_disconnect(error, dbapi_connection, cursor),
            dialect=dialect,
        ) from error
    finally:
        cursor.close()
