"""Deployment to scrapyd: a real scrapyd on 127.0.0.1 (its own folder and port), the project
deployed as an egg with scrapyd-client's `scrapyd-deploy`, `speeches` scheduled against the
replica through scrapyd's HTTP API, and the rows found in the database. The egg is a zip:
the cleaning rules and the migrations must be found inside it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fanwen_crawler.paths import DATA_DIR

from conftest import PROJECT_DIR

MANIFEST = json.loads((DATA_DIR / "replica" / "manifest.json").read_text(encoding="utf-8"))
LISTING = "/nuenian/fanwen/yanjiangzhici/"
PROJECT_FILES = ["setup.py", "setup.cfg", "pyproject.toml", "README.md", "scrapy.cfg"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{base}/{endpoint}", data=body, timeout=10) as response:
        return json.loads(response.read())


def script(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else (shutil.which(name) or name)


@pytest.fixture
def scrapyd(tmp_path):
    """A scrapyd on a free loopback port, with every folder under tmp_path."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\njobs_to_keep = 5\nmax_proc = 1\npoll_interval = 0.2\n"
    )
    (home / "tmp").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FANWEN_")}
    env["TMPDIR"] = str(home / "tmp")
    server = subprocess.Popen(
        [script("scrapyd")], cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                api(base, "daemonstatus.json")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "scrapyd did not start"
                time.sleep(0.2)
        yield base, home
    finally:
        server.terminate()
        server.wait(timeout=10)


def deploy(base: str, tmp_path: Path) -> None:
    """scrapyd-deploy from a copy of the project (it builds in place: build/, egg-info)."""
    project = tmp_path / "project"
    shutil.copytree(
        PROJECT_DIR / "fanwen_crawler",
        project / "fanwen_crawler",
        symlinks=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    shutil.copytree(PROJECT_DIR / "data" / "rules", project / "data" / "rules")
    for name in PROJECT_FILES:
        shutil.copy(PROJECT_DIR / name, project / name)
    with (project / "scrapy.cfg").open("a") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {base}/\nproject = fanwen_crawler\n")
    result = subprocess.run(
        [script("scrapyd-deploy"), "test", "--version", "1"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"status": "ok"' in result.stdout, result.stdout + result.stderr


def test_scrapyd_runs_the_deployed_egg_into_the_database(scrapyd, tmp_path, replica):
    base, home = scrapyd
    deploy(base, tmp_path)
    assert "speeches" in api(base, "listspiders.json?project=fanwen_crawler")["spiders"]
    db = tmp_path / "corpus.sqlite"
    job = api(
        base,
        "schedule.json",
        [
            ("project", "fanwen_crawler"),
            ("spider", "speeches"),
            ("start_url", replica.url + LISTING),
            ("setting", f"FANWEN_DATABASE_URL=sqlite:///{db}"),
            ("setting", "AUTOTHROTTLE_ENABLED=False"),
            ("setting", "DOWNLOAD_DELAY=0"),
        ],
    )
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 180
    while True:
        jobs = api(base, "listjobs.json?project=fanwen_crawler")
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            break
        assert time.monotonic() < deadline, jobs
        time.sleep(0.5)
    log = next((home / "logs").rglob(f"{job['jobid']}.log")).read_text(encoding="utf-8")
    # The project ran from the zipped egg: its rules and migrations were extracted (paths.py).
    extracted = {p.name for p in (home / "tmp").glob("fanwen-crawler-*/*")}
    assert extracted == {"rules", "migrations"}, log[-3000:]

    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        articles = c.execute(text("SELECT count(*) FROM articles")).scalar()
        runs = c.execute(text("SELECT spider, status FROM crawl_runs")).all()
        corpus = "\n".join(r.text for r in c.execute(text("SELECT text FROM corpus")))
    engine.dispose()
    nuenian = [a for a in MANIFEST["articles"] if a["site"] == "nuenian"]
    assert articles == len(nuenian), log[-3000:]
    assert [tuple(r) for r in runs] == [("speeches", "finished")]
    # The cleaning rules came with the egg: no boilerplate string reached the corpus.
    boilerplate = {b for a in nuenian for b in a["boilerplate"]}
    assert [b for b in sorted(boilerplate) if b in corpus] == []
