"""`fanwen browse`: Datasette on 127.0.0.1, driven by a real headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from corpus_samples import build_corpus

from fanwen_crawler.cli import main
from fanwen_crawler.db import open_database
from fanwen_crawler.queries import QUERIES, datasette_metadata

from conftest import IN_CI, PROJECT_DIR

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if server.poll() is not None:
            raise AssertionError(f"fanwen browse exited: {server.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def chromium_dom(url: str, profile: Path) -> str:
    """The DOM of ``url`` after load, as Debian's headless Chromium renders it."""
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def browser(tmp_path):
    if not os.path.exists(CHROMIUM):
        message = "needs Debian's chromium (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return lambda url: chromium_dom(url, tmp_path / "chromium-profile")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('browse') / 'corpus.sqlite'}"
    engine = open_database(sqlite_url)
    build_corpus(engine)
    engine.dispose()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fanwen_crawler.cli", "browse", "--db", sqlite_url,
         "--port", str(port), "--no-open"],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/-/versions.json", server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_search_result_page_in_chromium(served, browser):
    dom = browser(f"{served}/corpus/search?q={quote('禁毒誓师')}")
    assert "禁毒誓师大会上讲话1" in dom  # the speech (its text and its variant title)
    assert "禁毒誓师大会上讲话2" in dom  # the second speech, by its title only
    assert "【禁毒誓师】" in dom  # the first mention, marked
    assert "https://www.nuenian.example/fanwen/yanjiangzhici/1.html" in dom
    assert "春天的校园" not in dom and "表彰大会致辞" not in dom
    assert "https://wenmi.example/yanjiang/4.html" not in dom  # a copy: not in the corpus view


def test_a_two_character_term_through_the_canned_query(served, browser):
    dom = browser(f"{served}/corpus/texts_that_mention?term={quote('禁毒')}")
    assert "禁毒誓师大会上讲话1" in dom and "表彰大会致辞1" in dom
    assert "春天的校园" not in dom


def test_the_ranked_search_query_shows_snippets(served):
    with urllib.request.urlopen(
        f"{served}/corpus/search.json?q={quote('禁毒誓师')}&_shape=array"
    ) as response:
        rows = json.load(response)
    assert rows[0]["url"].endswith("/yanjiangzhici/1.html")
    assert "【禁毒誓师】" in rows[0]["snippet"]


def test_every_canned_query_runs(served):
    params = {"id": "1", "term": "禁毒", "q": "禁毒誓师"}
    for query in QUERIES:
        names = [p for p in params if f":{p}" in query.sql]
        args = "&".join(f"{p}={quote(params[p])}" for p in names)
        with urllib.request.urlopen(f"{served}/corpus/{query.name}.json?{args}") as response:
            body = json.load(response)
        assert body.get("ok", True) and body["rows"], query.name


def test_metadata_offers_the_search_queries_not_datasettes_phrase_search():
    database = datasette_metadata("corpus")["databases"]["corpus"]
    # Datasette's table search sends FTS5 phrases, which an index without positions refuses.
    assert "fts_table" not in database["tables"]["corpus"]
    assert {"search", "texts_that_mention"} <= set(database["queries"])


def test_browse_refuses_postgresql():
    result = CliRunner().invoke(main, ["browse", "--db", "postgresql+psycopg://u:secret@h/db"])
    assert result.exit_code == 2 and "SQLite" in result.output
    assert "secret" not in result.output
