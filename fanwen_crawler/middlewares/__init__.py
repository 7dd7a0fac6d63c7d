"""Downloader middlewares: incremental re-crawls (incremental) and fault detection (faults)."""
