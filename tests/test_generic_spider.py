"""The generic spider on a small site of unknown layout served on 127.0.0.1."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from conftest import QUIET_LOCAL, run_fanwen

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled" / "haofanwen"
SLOGAN = "好范文,伴你成长每一天"  # on every labelled page of this site; no rule names it


def article(title: str, paragraphs: list[str], pager: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html><head><meta charset="utf-8"><title>{title}_测试范文网</title></head><body>'
        f'<div class="nav"><a href="/">首页</a></div><div class="main"><h1>{title}</h1>'
        f'<div class="txt">{body}</div>{pager}</div><div class="foot">测试范文网</div>'
        "</body></html>"
    )


def listing(links: list[tuple[str, str]], pager: str) -> str:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    hot = '<ul class="hot"><li><a href="/hot/900.html">热门的一篇范文标题</a></li></ul>'
    return (
        '<html><head><meta charset="utf-8"><title>讲话稿_测试范文网</title></head><body>'
        f'<div class="nav"><a href="/">首页</a><a href="/zj/">总结</a></div>{hot}'
        f'<ul class="list">{items}</ul><div class="pages">{pager}</div></body></html>'
    )


PART_ONE = ["同志们:", "今天我们召开全体职工大会,总结上一年度的各项工作,部署新一年的任务。"]
PART_TWO = ["新的一年,我们要继续努力,把各项工作做得更好,为单位的发展作出更大的贡献!"]
PAGED_TWO = ["第二页上的这一段话,是同一篇文章的后半部分,合并之后才算完整的讲话稿。"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Listing /fanwen/jianghua/ (two pages) → articles under /a/, one with _2, one 下一页."""
    root = tmp_path_factory.mktemp("site")
    (root / "fanwen" / "jianghua").mkdir(parents=True)
    (root / "a").mkdir()
    links = []
    for n, path in enumerate(sorted(LABELLED.glob("0[1-7].html")), start=1):
        (root / "a" / f"{n}.html").write_bytes(path.read_bytes())
        links.append((f"/a/{n}.html", f"第{n}篇讲话稿范文标题"))
    (root / "a" / "8.html").write_text(
        article("职工大会讲话", PART_ONE, '<a href="/a/8_2.html">2</a>'), encoding="utf-8"
    )
    (root / "a" / "8_2.html").write_text(article("职工大会讲话", PART_TWO), encoding="utf-8")
    (root / "a" / "9.html").write_text(
        article("分页讲话稿", PART_ONE, '<a href="/a/9-p2.html">下一页</a>'), encoding="utf-8"
    )
    (root / "a" / "9-p2.html").write_text(article("分页讲话稿", PAGED_TWO), encoding="utf-8")
    links += [("/a/8.html", "职工大会讲话范文"), ("/a/9.html", "分页讲话稿范文")]
    pager = '<a href="list_2.html">2</a><a href="list_2.html">下一页</a>'
    (root / "fanwen" / "jianghua" / "index.html").write_text(
        listing(links[:5], pager), encoding="utf-8"
    )
    (root / "fanwen" / "jianghua" / "list_2.html").write_text(
        listing(links[5:], '<a href="index.html">1</a>'), encoding="utf-8"
    )
    # A second category, crawled as another site into the same database.
    (root / "fanwen" / "zongjie").mkdir()
    (root / "b").mkdir()
    for n in (8, 9):
        (root / "b" / f"{n}.html").write_bytes((LABELLED / f"0{n}.html").read_bytes())
    (root / "fanwen" / "zongjie" / "index.html").write_text(
        listing([(f"/b/{n}.html", f"第{n}篇总结范文的标题") for n in (8, 9)], ""),
        encoding="utf-8",
    )
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def crawl(start_url: str, db_url: str, *extra: str) -> None:
    run_fanwen(
        "crawl", "generic", "--start-url", start_url, "--db", db_url,
        *QUIET_LOCAL, *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    db_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'corpus.sqlite'}"
    crawl(site + "/fanwen/jianghua/", db_url, "-a", "site=testsite")
    crawl(site + "/fanwen/zongjie/", db_url, "-a", "site=othersite")
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def rows(engine, sql: str, **params):
    with engine.connect() as connection:
        return connection.execute(text(sql), params).all()


def test_every_article_of_both_listing_pages_is_stored(crawled):
    urls = rows(
        crawled,
        "SELECT a.url FROM articles a JOIN sites s ON s.id = a.site_id WHERE s.name='testsite'",
    )
    paths = sorted(u.split("/", 3)[3] for (u,) in urls)
    assert paths == [f"a/{n}.html" for n in range(1, 10)]


def test_sidebar_links_are_not_followed(crawled):
    assert not rows(crawled, "SELECT url FROM fetch_errors WHERE url LIKE '%/hot/%'")
    assert not rows(crawled, "SELECT url FROM articles WHERE url LIKE '%/hot/%'")


def test_continuation_pages_are_merged_into_one_article(crawled):
    texts = dict(
        rows(
            crawled,
            "SELECT a.url, v.text FROM variants v JOIN articles a ON a.id = v.article_id"
            " JOIN sites s ON s.id = a.site_id WHERE s.name='testsite'",
        )
    )
    by_path = {url.split("/", 3)[3]: t for url, t in texts.items()}
    assert by_path["a/8.html"].endswith(PART_TWO[0])
    assert by_path["a/8.html"].startswith(PART_ONE[0])
    assert by_path["a/9.html"].endswith(PAGED_TWO[0])
    assert not rows(crawled, "SELECT url FROM articles WHERE url LIKE '%8_2.html'")


def test_line_recurring_on_the_site_is_learned_and_audited(crawled):
    in_text = rows(
        crawled,
        "SELECT v.text FROM variants v JOIN articles a ON a.id = v.article_id"
        " JOIN sites s ON s.id = a.site_id WHERE s.name = 'testsite' AND v.text LIKE :s",
        s=f"%{SLOGAN}%",
    )
    assert not in_text
    learned = rows(crawled, "SELECT text FROM removals WHERE rule = 'learned_repeat'")
    assert (SLOGAN,) in learned


def test_two_crawls_add_to_one_corpus(crawled):
    counts = dict(
        rows(
            crawled,
            "SELECT s.name, count(*) FROM articles a JOIN sites s ON s.id = a.site_id"
            " GROUP BY s.name",
        )
    )
    assert counts == {"testsite": 9, "othersite": 2}


def test_generic_without_a_start_url_stops_with_a_clear_reason(tmp_path):
    result = run_fanwen(
        "crawl", "generic", "--db", f"sqlite:///{tmp_path / 'c.sqlite'}", check=False
    )
    assert result.returncode != 0
    assert "no_start_url" in result.stderr
