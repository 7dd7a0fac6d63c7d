"""The benchmarks' static file server: nginx where it is installed, else Twisted's ``static.File``.

Usage: ``python benchmarks/static_server.py ROOT [--server auto|nginx|twisted]``; prints
``http://127.0.0.1:PORT`` once it accepts connections, then serves until interrupted. It binds
127.0.0.1 only. The benchmarks use ``serving(root)``, which runs the server in its own process
and says which process to charge its CPU to.

Why nginx: the site's server shares the benchmark's two cores with the crawl, and in
production it is not on the crawler's machine at all. nginx (``sendfile``, no interpreter)
costs ~0.05 ms of CPU per 30 KB page; Twisted's ``File`` ~0.3 ms (docs/performance.md, sixth
pass). It runs as one process (``master_process off``: its CPU is one pid's) with its
configuration, logs and temporary files in a temporary folder. Debian: ``apt-get install
nginx-light``. Twisted's server is the fallback, so the benchmarks run without it.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log stderr error;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ text/html html htm; text/plain txt; }}
    default_type application/octet-stream;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


@dataclass
class Served:
    url: str
    pid: int  # the process whose CPU time is the server's
    server: str  # "nginx" or "twisted"


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the static server exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the static server did not listen on port {port}")
        time.sleep(0.05)


@contextlib.contextmanager
def serving(root: str | Path, server: str = "auto") -> Iterator[Served]:
    """Serve ``root`` on 127.0.0.1 in a child process for the duration of the block."""
    nginx = find_nginx() if server in ("auto", "nginx") else None
    if server == "nginx" and nginx is None:
        raise SystemExit("nginx is not installed (Debian: apt-get install nginx-light)")
    with tempfile.TemporaryDirectory(prefix="fanwen-static-") as tmp:
        if nginx:
            port = free_port()
            conf = Path(tmp) / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=Path(root).resolve()))
            command = [nginx, "-p", tmp, "-c", str(conf), "-e", "stderr"]
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        else:
            command = [sys.executable, __file__, "--server", "twisted", str(root)]
            process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            port = int(process.stdout.readline().strip().rsplit(":", 1)[-1] or 0)
        try:
            wait_until_listening(port, process)
            yield Served(f"http://127.0.0.1:{port}", process.pid, "nginx" if nginx else "twisted")
        finally:
            process.terminate()
            process.wait(timeout=30)


def serve_twisted(root: str) -> None:
    from twisted.internet import reactor
    from twisted.web.server import Site
    from twisted.web.static import File

    resource = File(root)
    resource.contentTypes[".html"] = "text/html"
    port = reactor.listenTCP(0, Site(resource), interface="127.0.0.1")
    print(f"http://127.0.0.1:{port.getHost().port}", flush=True)
    reactor.run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--server", choices=["auto", "nginx", "twisted"], default="auto")
    args = parser.parse_args(argv)
    if args.server == "twisted":  # the child serving() starts; it prints its own URL
        serve_twisted(args.root)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so the server stops with us
    with serving(args.root, args.server) as served:
        print(served.url, f"({served.server}, pid {served.pid})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
