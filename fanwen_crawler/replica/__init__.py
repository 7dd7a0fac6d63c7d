"""Bundled replica of real 范文 sites: generator and HTTP server."""
