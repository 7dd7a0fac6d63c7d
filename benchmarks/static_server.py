"""A fast static file server for benchmarks: Twisted's ``static.File`` in its own process.

Usage: ``python benchmarks/static_server.py ROOT [--port 0]``; prints ``http://127.0.0.1:PORT``
on its first line once listening, then serves until killed. It binds 127.0.0.1 only.

Twisted's ``File`` serves with persistent HTTP/1.1 connections and sendfile-like producers,
at a fraction of the CPU per request of ``http.server``'s ``ThreadingHTTPServer`` (measured
in docs/performance.md); in its own process it does not share the crawler's interpreter.
"""

from __future__ import annotations

import argparse
import sys

from twisted.internet import reactor
from twisted.web.server import Site
from twisted.web.static import File


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    resource = File(args.root)
    resource.contentTypes[".html"] = "text/html"
    port = reactor.listenTCP(args.port, Site(resource), interface="127.0.0.1")
    print(f"http://127.0.0.1:{port.getHost().port}", flush=True)
    sys.stdout.close()
    reactor.run()


if __name__ == "__main__":
    main()
