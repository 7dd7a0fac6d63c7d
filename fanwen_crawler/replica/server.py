"""HTTP server for the bundled replica site (``data/replica/``), with fault routes.

``ReplicaServer`` runs a ``ThreadingHTTPServer`` in a daemon thread (a context manager);
``serve_forever`` serves in the foreground (``python -m fanwen_crawler.replica.server``).

Routes besides the files: the ``http_500`` paths of the manifest answer 500;
``/faults/flaky.html`` answers 500 to its first two requests per server, then an article;
``/faults/slow.html?s=N`` sleeps N seconds (default 5) then answers an article;
``/faults/loop.html`` and ``/faults/loop2.html`` redirect to each other;
``/faults/binary.pdf`` is a small PDF; ``/faults/huge.html`` is a 20 MB page made on the fly.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "data" / "replica"
DEFAULT_DATE = datetime(2023, 1, 1, tzinfo=UTC)
FLAKY_FAILURES = 2
HUGE_BYTES = 20 * 1024 * 1024
PDF_BYTES = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
_HUGE_HEAD = b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>huge</title></head><body>\n'
_HUGE_TAIL = b"</body></html>\n"
_HUGE_LINE = "<p>这是一个用来测试超大页面的段落,内容没有意义,只用来占用字节。</p>\n".encode()


class ReplicaServer:
    """Serve ``root`` on ``host:port`` (port 0: a free port) in a background thread."""

    def __init__(
        self,
        root: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
    ) -> None:
        self.root = Path(root or DEFAULT_ROOT).resolve()
        self.host = host
        self.port = port
        self.verbose = verbose
        self.hits: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._load_manifest()

    def _load_manifest(self) -> None:
        mpath = self.root / "manifest.json"
        m = json.loads(mpath.read_text(encoding="utf-8")) if mpath.exists() else {}
        self.manifest: dict = m
        self.plain_html_prefixes = [
            f"/{s}/"
            for s, v in m.get("sites", {}).items()
            if v.get("encoding", "utf-8").lower() != "utf-8"
        ]
        self.utf8_paths = {
            r["path"] for r in m.get("recoverable", []) if r.get("kind") == "charset_mismatch"
        }
        self.error_paths = {b["path"] for b in m.get("broken", []) if b["kind"] == "http_500"}
        self.dates: dict[str, datetime] = {}
        for a in m.get("articles", []):
            d = datetime.fromisoformat(a["date"]).replace(hour=8, tzinfo=UTC)
            for p in [a["path"], *a.get("continuation_paths", [])]:
                self.dates[p] = d
        serves = [f.get("serves") for f in m.get("faults", []) if f["kind"] == "flaky"]
        first = m["articles"][0]["path"] if m.get("articles") else "/index.html"
        self.fault_article = serves[0] if serves and serves[0] else first

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:8123`` (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    def count(self, path: str) -> int:
        """Record a request for ``path``; return how many there have been."""
        with self._lock:
            self.hits[path] += 1
            return self.hits[path]

    def start(self) -> ReplicaServer:
        """Bind and start serving in a daemon thread."""
        handler = type("Handler", (_Handler,), {"replica": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="replica-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    """Request handler; ``replica`` is set on a subclass per server."""

    replica: ReplicaServer
    server_version = "ReplicaHTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if self.replica.verbose:
            super().log_message(format, *args)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def do_GET(self) -> None:
        self._handle(head=False)

    # -- helpers

    def _send(
        self, status: int, body: bytes, ctype: str, head: bool, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _error(self, status: int, head: bool) -> None:
        msg = {404: "Not Found", 500: "Internal Server Error"}.get(status, "Error")
        body = f"<html><body><h1>{status} {msg}</h1></body></html>\n".encode()
        self._send(status, body, "text/html; charset=utf-8", head)

    def _redirect(self, location: str, head: bool) -> None:
        self._send(302, b"", "text/html; charset=utf-8", head, {"Location": location})

    def _content_type(self, path: str) -> str:
        r = self.replica
        if path.endswith((".html", ".htm")):
            if path in r.utf8_paths:
                return "text/html; charset=utf-8"
            if any(path.startswith(p) for p in r.plain_html_prefixes):
                return "text/html"
            return "text/html; charset=utf-8"
        if path.endswith(".txt"):
            return "text/plain; charset=utf-8"
        if path.endswith(".json"):
            return "application/json"
        return "application/octet-stream"

    def _file(self, path: str) -> tuple[Path, str] | None:
        """Resolve a URL path to a file under the root (and its canonical URL path)."""
        root = self.replica.root
        target = (root / path.lstrip("/")).resolve()
        if not target.is_relative_to(root):
            return None
        if target.is_dir():
            target = target / "index.html"
            path = path.rstrip("/") + "/index.html"
        return (target, path) if target.is_file() else None

    def _serve_file(self, path: str, head: bool) -> None:
        if not path.endswith("/") and (self.replica.root / path.lstrip("/")).is_dir():
            self._redirect(path + "/", head)
            return
        found = self._file(path)
        if found is None:
            self._error(404, head)
            return
        target, canon = found
        data = target.read_bytes()
        etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
        lm = self.replica.dates.get(canon, DEFAULT_DATE)
        headers = {"ETag": etag, "Last-Modified": format_datetime(lm, usegmt=True)}
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            if "*" in tags or etag in tags:
                self._send(304, b"", self._content_type(canon), True, headers)
                return
        elif ims is not None:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                since = None
            if since is not None and since.tzinfo is not None and lm <= since:
                self._send(304, b"", self._content_type(canon), True, headers)
                return
        self._send(200, data, self._content_type(canon), head, headers)

    def _huge(self, head: bool) -> None:
        n_lines = (HUGE_BYTES - len(_HUGE_HEAD) - len(_HUGE_TAIL)) // len(_HUGE_LINE)
        pad = HUGE_BYTES - len(_HUGE_HEAD) - len(_HUGE_TAIL) - n_lines * len(_HUGE_LINE)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        if head:
            return
        try:
            self.wfile.write(_HUGE_HEAD)
            chunk = _HUGE_LINE * 1000
            done = 0
            while done + 1000 <= n_lines:
                self.wfile.write(chunk)
                done += 1000
            self.wfile.write(_HUGE_LINE * (n_lines - done) + b" " * pad + _HUGE_TAIL)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _handle(self, head: bool) -> None:
        split = urlsplit(self.path)
        path = unquote(split.path) or "/"
        n = self.replica.count(path)
        if path in self.replica.error_paths:
            self._error(500, head)
        elif path == "/faults/flaky.html":
            if n <= FLAKY_FAILURES:
                self._error(500, head)
            else:
                self._serve_file(self.replica.fault_article, head)
        elif path == "/faults/slow.html":
            try:
                seconds = float(parse_qs(split.query).get("s", ["5"])[0])
            except ValueError:
                seconds = 5.0
            time.sleep(max(0.0, min(seconds, 600.0)))
            self._serve_file(self.replica.fault_article, head)
        elif path == "/faults/loop.html":
            self._redirect("/faults/loop2.html", head)
        elif path == "/faults/loop2.html":
            self._redirect("/faults/loop.html", head)
        elif path == "/faults/binary.pdf":
            self._send(200, PDF_BYTES, "application/pdf", head)
        elif path == "/faults/huge.html":
            self._huge(head)
        else:
            self._serve_file(path, head)


def serve_forever(
    host: str = "127.0.0.1", port: int = 8000, root: Path | None = None, verbose: bool = True
) -> None:
    """Serve the replica in the foreground until interrupted."""
    server = ReplicaServer(root=root, host=host, port=port, verbose=verbose).start()
    m = server.manifest
    print(f"replica served at {server.url}/")
    for name, site in m.get("sites", {}).items():
        print(f"  {name}: {server.url}{site['start_path']}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m fanwen_crawler.replica.server [--host H] [--port P]``."""
    ap = argparse.ArgumentParser(description="Serve the bundled replica site.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--root", type=Path, default=None)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    serve_forever(args.host, args.port, args.root, verbose=not args.quiet)


if __name__ == "__main__":
    main()
