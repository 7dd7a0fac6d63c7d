"""Time spent per stage of the crawl (extract, clean, dedup, store), kept in Scrapy stats.

Each stage adds its seconds to the stat ``fanwen/time/<stage>`` (a float) and counts its calls
in ``fanwen/time/<stage>/calls``, so a crawl's stats (stored with its run) say where its time
went; ``benchmarks/crawl_throughput.py`` prints them. The cost is two ``perf_counter`` calls
per item and stage.

Use the decorator on a pipeline's ``process_item`` (the pipeline exposes its stats as
``self.stats`` or ``self.crawler.stats``)::

    @timed_stage("clean")
    def process_item(self, item, spider=None): ...

or the context manager where there is no method to wrap::

    with timed(self.crawler.stats, "extract"):
        page = extract_page(...)
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

PREFIX = "fanwen/time/"
F = TypeVar("F", bound=Callable[..., Any])


def record(stats: Any, stage: str, seconds: float) -> None:
    """Add ``seconds`` to the stage's total in a Scrapy stats collector (None: nothing)."""
    if stats is None:
        return
    stats.inc_value(f"{PREFIX}{stage}", seconds, start=0.0)
    stats.inc_value(f"{PREFIX}{stage}/calls")


@contextmanager
def timed(stats: Any, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        record(stats, stage, time.perf_counter() - start)


def stats_of(component: Any) -> Any:
    """The stats collector a pipeline or spider holds (``.stats`` or ``.crawler.stats``)."""
    stats = getattr(component, "stats", None)
    if stats is None:
        stats = getattr(getattr(component, "crawler", None), "stats", None)
    return stats


def timed_stage(stage: str) -> Callable[[F], F]:
    """Decorate a ``process_item`` method (plain or ``async def``) to time it as ``stage``."""

    def decorator(method: F) -> F:
        if inspect.iscoroutinefunction(method):

            @functools.wraps(method)
            async def async_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return await method(self, *args, **kwargs)
                finally:
                    record(stats_of(self), stage, time.perf_counter() - start)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(method)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                record(stats_of(self), stage, time.perf_counter() - start)

        return wrapper  # type: ignore[return-value]

    return decorator


def stage_times(stats: dict[str, Any]) -> dict[str, dict[str, float]]:
    """``{stage: {"seconds": s, "calls": n}}`` from a crawl's stats dict."""
    out: dict[str, dict[str, float]] = {}
    for key, value in stats.items():
        if not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX) :]
        if name.endswith("/calls"):
            out.setdefault(name[: -len("/calls")], {})["calls"] = value
        else:
            out.setdefault(name, {})["seconds"] = value
    return out
