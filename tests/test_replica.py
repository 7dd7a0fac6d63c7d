"""The bundled replica site: committed bytes, manifest, and the HTTP server (loopback only)."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import parsel
import pytest

from fanwen_crawler.replica.build import DATA, SEED_NAME, build
from fanwen_crawler.replica.server import ReplicaServer

REPLICA = DATA / "replica"
SEED_PATH = "/nuenian/fanwen/yanjiangzhici/07d16818ebe34cf828ffd1e42b346479.html"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((REPLICA / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server() -> Iterator[ReplicaServer]:
    with ReplicaServer() as s:
        yield s


def fetch(
    server: ReplicaServer, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request, no redirect following."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def files_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


# ---------------------------------------------------------------- build and manifest


def test_committed_replica_equals_fresh_build(tmp_path: Path) -> None:
    build(tmp_path / "replica")
    fresh, committed = files_of(tmp_path / "replica"), files_of(REPLICA)
    assert sorted(fresh) == sorted(committed)
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert changed == [], "run python -m fanwen_crawler.replica.build"


def test_manifest_counts(manifest: dict) -> None:
    assert set(manifest["sites"]) == {"nuenian", "wenmi", "fanwenku"}
    assert len(manifest["articles"]) >= 40
    for site in manifest["sites"].values():
        assert len(site["listing_paths"]) >= 2
        assert site["start_path"] == site["listing_paths"][0]
    assert {b["kind"] for b in manifest["broken"]} >= {"http_404", "http_500", "empty", "truncated"}
    rec = manifest["recoverable"]
    assert [r["kind"] for r in rec] == ["charset_mismatch"]
    assert rec[0]["article"] in manifest["articles"]
    copies = [t for t in manifest["texts"].values() if t["copy_of"]]
    assert sum(t["edit"] == "exact" for t in copies) >= 6
    assert sum(t["edit"] in ("edited", "traditional") for t in copies) >= 6


def test_copies_are_on_another_site(manifest: dict) -> None:
    sites: dict[str, set[str]] = {}
    for a in manifest["articles"]:
        for v in a["variants"]:
            sites.setdefault(v["text_id"], set()).add(a["site"])
    assert set(sites) == set(manifest["texts"])
    for tid, t in manifest["texts"].items():
        if t["copy_of"]:
            assert sites[tid].isdisjoint(sites[t["copy_of"]]), tid


def test_every_variant_style_is_present(manifest: dict) -> None:
    titles = [v["title"] for a in manifest["articles"] for v in a["variants"]]
    patterns = [
        r".+\D1$",
        r".+篇1$",
        r"^篇一:.+",
        r"^范文一$",
        r"^第一篇:.+",
        r"^篇一$",
        r"^【篇一】$",
    ]
    for pat in patterns:
        assert any(re.match(pat, t) for t in titles), pat
    assert any(len(a["variants"]) == 1 for a in manifest["articles"])
    assert any(a["declared_count"] == len(a["variants"]) for a in manifest["articles"])
    assert any(a["continuation_paths"] for a in manifest["articles"])


def test_texts_are_written_not_empty(manifest: dict) -> None:
    texts = sorted((DATA / "texts").glob("*.txt"))
    assert 55 <= len(texts) <= 90
    for path in texts:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert all(ln.strip() for ln in lines), path.name
        assert 4 <= len(lines) - 1 <= 12, path.name
        assert 300 <= sum(map(len, lines[1:])) <= 1500, path.name
    seed = (DATA / "seed" / SEED_NAME).read_text(encoding="utf-8")
    assert seed.startswith("首页") and "禁毒誓师大会上讲话2" in seed


# ---------------------------------------------------------------- server


def test_listings_link_every_article_and_broken_page(server: ReplicaServer, manifest: dict) -> None:
    linked: set[str] = set()
    for name, site in manifest["sites"].items():
        for lp in site["listing_paths"]:
            status, headers, body = fetch(server, lp)
            assert status == 200
            enc = "gbk" if site["encoding"] == "gbk" else "utf-8"
            sel = parsel.Selector(text=body.decode(enc))
            for href in sel.css("a::attr(href)").getall():
                linked.add(urlsplit(urljoin(server.url + lp, href)).path)
        assert f"/{name}/" in site["start_path"]
    for a in manifest["articles"]:
        assert a["path"] in linked
    for b in manifest["broken"]:
        assert b["path"] in linked


def test_gbk_site_bytes_unchanged(server: ReplicaServer, manifest: dict) -> None:
    a = next(
        a
        for a in manifest["articles"]
        if a["site"] == "wenmi" and a["variants"][0]["title"].startswith("篇一")
    )
    status, headers, body = fetch(server, a["path"])
    assert status == 200
    assert headers["content-type"] == "text/html"
    assert body == (REPLICA / a["path"].lstrip("/")).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert "charset=gb2312" in text
    assert a["variants"][0]["first"] in text and a["variants"][-1]["last"] in text


def test_charset_lie_is_recoverable(server: ReplicaServer, manifest: dict) -> None:
    rec = manifest["recoverable"][0]
    status, headers, body = fetch(server, rec["path"])
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"charset=utf-8" in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gb18030")
    for v in rec["article"]["variants"]:
        assert v["first"] in text and v["last"] in text


def test_utf8_pages_and_content_type(server: ReplicaServer, manifest: dict) -> None:
    for a in manifest["articles"]:
        if a["site"] == "wenmi":
            continue
        for path in [a["path"], *a["continuation_paths"]]:
            status, headers, body = fetch(server, path)
            assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
            body.decode("utf-8")


def test_manifest_strings_are_on_the_pages(server: ReplicaServer, manifest: dict) -> None:
    for a in manifest["articles"]:
        enc = "gbk" if a["encoding"] == "gbk" else "utf-8"
        text = ""
        for path in [a["path"], *a["continuation_paths"]]:
            body = fetch(server, path)[2].decode(enc)
            text += "\n".join(parsel.Selector(text=body).xpath("//body//text()").getall())
        for v in a["variants"]:
            assert v["first"] in text and v["last"] in text, (a["path"], v["index"])
            assert v["title"] in text
        for s in a["boilerplate"]:
            assert norm(s) in norm(text), (a["path"], s)


def test_broken_pages(server: ReplicaServer, manifest: dict) -> None:
    by_kind = {b["kind"]: b["path"] for b in manifest["broken"]}
    assert fetch(server, by_kind["http_404"])[0] == 404
    assert fetch(server, by_kind["http_500"])[0] == 500
    status, _, body = fetch(server, by_kind["empty"])
    assert status == 200 and body == b""
    status, _, body = fetch(server, by_kind["truncated"])
    assert status == 200 and 0 < len(body) < 1500
    assert b'<div class="header">' in body and b'class="content"' not in body
    assert fetch(server, "/no/such/page.html")[0] == 404
    assert fetch(server, "/../../etc/passwd")[0] == 404


def test_conditional_get(server: ReplicaServer) -> None:
    status, headers, body = fetch(server, SEED_PATH)
    assert status == 200 and headers["etag"] and headers["last-modified"]
    status, h2, body2 = fetch(server, SEED_PATH, headers={"If-None-Match": headers["etag"]})
    assert status == 304 and body2 == b"" and h2["etag"] == headers["etag"]
    assert fetch(server, SEED_PATH, headers={"If-None-Match": '"other"'})[0] == 200
    since = {"If-Modified-Since": headers["last-modified"]}
    assert fetch(server, SEED_PATH, headers=since)[0] == 304
    old = {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    assert fetch(server, SEED_PATH, headers=old)[0] == 200


def test_seed_page_contains_the_seed_verbatim(server: ReplicaServer) -> None:
    status, _, body = fetch(server, SEED_PATH)
    assert status == 200
    sel = parsel.Selector(text=body.decode("utf-8"))
    page = norm("".join(sel.xpath("//body//text()").getall()))
    seed = (DATA / "seed" / SEED_NAME).read_text(encoding="utf-8")
    lines = [ln for ln in seed.splitlines() if ln.strip()]
    assert len(lines) > 40
    for line in lines:
        assert norm(line) in page, line[:30]
    paras = sel.css("div.content p::text").getall()
    assert "原创文秘材料,尽在网络。" in "".join(paras)


def test_hits_and_flaky(manifest: dict) -> None:
    with ReplicaServer() as s:
        assert [fetch(s, "/faults/flaky.html")[0] for _ in range(4)] == [500, 500, 200, 200]
        assert s.hits["/faults/flaky.html"] == 4
        fetch(s, "/robots.txt")
        assert s.hits["/robots.txt"] == 1
    with ReplicaServer() as s2:  # the count is per server instance
        assert fetch(s2, "/faults/flaky.html")[0] == 500


def test_fault_routes(server: ReplicaServer) -> None:
    status, headers, _ = fetch(server, "/faults/loop.html")
    assert status == 302 and headers["location"] == "/faults/loop2.html"
    status, headers, _ = fetch(server, "/faults/loop2.html")
    assert status == 302 and headers["location"] == "/faults/loop.html"
    status, headers, body = fetch(server, "/faults/binary.pdf")
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert body.startswith(b"%PDF")
    status, _, body = fetch(server, "/faults/slow.html?s=0.1")
    assert status == 200 and b'class="content"' in body
    status, headers, body = fetch(server, "/faults/huge.html", method="HEAD")
    assert status == 200 and int(headers["content-length"]) == 20 * 1024 * 1024
    assert body == b""


def test_huge_page_length(server: ReplicaServer) -> None:
    status, headers, body = fetch(server, "/faults/huge.html")
    assert status == 200 and len(body) == 20 * 1024 * 1024
    assert body.endswith(b"</html>\n")


def test_robots_and_directories(server: ReplicaServer) -> None:
    status, headers, body = fetch(server, "/robots.txt")
    assert status == 200 and body == b"User-agent: *\nDisallow: /private/\n"
    assert headers["content-type"].startswith("text/plain")
    status, headers, _ = fetch(server, "/nuenian")
    assert status == 302 and headers["location"] == "/nuenian/"
    assert fetch(server, "/nuenian/fanwen/yanjiangzhici/")[0] == 200
