"""Shared fixtures: temporary databases, real servers, the replica site, crawls."""

from __future__ import annotations

import functools
import os
import secrets
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from fanwen_crawler.db import open_database

PROJECT_DIR = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("FANWEN_CI") == "1"
# The `corpus` view's contract (DESIGN §3): at least these columns, in this order.
CORPUS_CONTRACT = [
    "id",
    "url",
    "site",
    "category",
    "article_title",
    "variant_index",
    "variant_title",
    "text",
    "char_count",
    "fetched_at",
]


def need_server(variable: str, what: str) -> str:
    """The URL of a real server from the environment; in CI its absence is a failure."""
    url = os.environ.get(variable)
    problem = (
        f"needs a {what} server: set {variable} (.ci/run installs and starts one on 127.0.0.1)"
        if not url
        else _unreachable(url)
    )
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    return url


@functools.cache
def _unreachable(url: str) -> str | None:
    """Why the server at ``url`` does not answer (checked once per session), or None."""
    from fanwen_crawler.db import redact

    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=5).ping()
        else:
            from sqlalchemy import create_engine, text

            engine = create_engine(url, connect_args={"connect_timeout": 5})
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            finally:
                engine.dispose()
    except Exception as error:  # any failure to connect is the answer
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return f"no server answers at {redact(url)}: {first_line}"
    return None


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'corpus.sqlite'}"


@pytest.fixture
def engine(sqlite_url: str):
    engine = open_database(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url() -> str:
    return need_server("FANWEN_TEST_POSTGRES_URL", "PostgreSQL")


@pytest.fixture
def redis_url() -> str:
    return need_server("FANWEN_TEST_REDIS_URL", "Redis")


@contextmanager
def fresh_postgres_database(server_url: str):
    """A new, empty database ``fanwen_test_<random>`` on the server; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"fanwen_test_{secrets.token_hex(6)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))  # a name we made: safe
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_postgres_url(postgres_url: str):
    """URL of a fresh PostgreSQL database of its own for this test (tests stay isolated)."""
    with fresh_postgres_database(postgres_url) as url:
        yield url


@pytest.fixture(scope="session")
def fanwenku_on_postgres(replica):
    """One plain `fanwen crawl fanwenku` of the replica into a PostgreSQL database of its own,
    shared by the PostgreSQL and distributed-crawl tests (read it, do not write to it)."""
    server = need_server("FANWEN_TEST_POSTGRES_URL", "PostgreSQL")
    with fresh_postgres_database(server) as url:
        crawl_replica(replica, url, "fanwenku", "/fanwenku/yanjianggao/")
        yield url


@pytest.fixture(scope="session")
def replica():
    """The bundled replica site served on 127.0.0.1 for the whole session."""
    from fanwen_crawler.replica.server import ReplicaServer

    with ReplicaServer() as server:
        yield server


def run_fanwen(*args: str, timeout: float = 300, check: bool = True, env: dict | None = None):
    """Run the real `fanwen` command line in a child process (Twisted cannot restart)."""
    result = subprocess.run(
        [sys.executable, "-m", "fanwen_crawler.cli", *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"fanwen {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


QUIET_LOCAL = [
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "LOG_LEVEL=WARNING",
    "-s",
    "RETRY_TIMES=1",
]


def crawl_replica(server, db_url: str, spider: str, path: str, *extra: str, **kwargs):
    """`fanwen crawl SPIDER` against the served replica."""
    return run_fanwen(
        "crawl",
        spider,
        "--start-url",
        server.url + path,
        "--db",
        db_url,
        *QUIET_LOCAL,
        *extra,
        **kwargs,
    )
