"""Boilerplate learned per site from repetition: a line that recurs on many pages is not body.

Every site has lines no global rule knows: its slogan under each article, its own editor intro
with the title filled in, a footer sentence. Across one site's pages such a line recurs, once
the title is masked (``下面是小编整理的〈T〉,欢迎阅读``) and digits folded (dates, counts);
a text's own paragraph does not, save when the whole text is copied (dedup's business, and
the share threshold below keeps a few copies from counting).

Design: the table is computed per crawl from the pages seen, in memory, one per site
(``table_for(site)``): the spider observes every extracted page, the clean pipeline asks the
table. Why not a database table: boilerplate is a property of a site's *current* template, so
counts from old crawls go stale when a site changes its layout; a crawl of one category sees
dozens to thousands of pages of its site, plenty to learn from; and nothing needs migrating or
coordinating between workers (each worker learns from its own share of pages). The first
pages of a crawl are held back until the table has seen ``warmup`` pages (spiders/generic.py),
so they are cleaned with the same knowledge as the rest.

What is never learned: lines shorter than ``min_chars`` (``谢谢大家!``) or longer than
``max_chars`` (body paragraphs), salutations (``…同志们:``), and variant headings (the table
sees the paragraphs after splitting).
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

from fanwen_crawler.textnorm import comparison_form

_DIGITS = re.compile(r"\d+")
_SALUTATION = re.compile(r"[::]$")
# A bracketed aside inside a paragraph: where sites glue their slogans ``(某某网收集整理)``.
FRAGMENT = re.compile(r"[((【\[][^()()【】\[\]]{4,40}[))】\]]")
_FRAGMENT_KEY = "§"
TITLE_MASK = "〈T〉"


def masked(line: str, titles: tuple[str, ...] = ()) -> str:
    """The form lines are counted by: titles masked, digits folded, width and spaces folded."""
    form = comparison_form(line)
    for title in sorted({comparison_form(t) for t in titles if len(t) >= 2}, key=len, reverse=True):
        form = form.replace(title, TITLE_MASK)
    return _DIGITS.sub("#", form)


@dataclass
class LineTable:
    """Per-site counts of masked lines: on how many pages, and pages of which content.

    Copies of one text on several pages of a site would make its short paragraphs recur too.
    So pages that share a content paragraph (``content_chars`` or longer, and not itself on
    half the site's pages) count once for a line: a slogan recurs on pages of *different*
    texts, a copied text's paragraph only on pages of the same text.
    """

    min_pages: int = 3  # a line must recur on at least this many pages…
    min_share: float = 0.3  # …and on at least this share of the pages seen
    min_chars: int = 6
    max_chars: int = 120
    content_chars: int = 40
    sample: int = 64  # pages remembered per line, to tell copies from boilerplate
    pages: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    _line_pages: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _page_content: list[frozenset[int]] = field(default_factory=list, repr=False)
    _content_counts: Counter[int] = field(default_factory=Counter, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def candidate(self, line: str) -> bool:
        return self.min_chars <= len(line) <= self.max_chars and not _SALUTATION.search(line)

    def observe(self, paragraphs: list[str], titles: tuple[str, ...] = ()) -> None:
        """Count one page's lines (each distinct line once per page)."""
        forms = {masked(p, titles) for p in paragraphs if self.candidate(p)}
        forms |= {
            _FRAGMENT_KEY + masked(m.group(), titles)
            for p in paragraphs
            for m in FRAGMENT.finditer(p)
            if m.group() != p
        }
        content = frozenset(
            hash(masked(p, titles)) for p in paragraphs if len(p) >= self.content_chars
        )
        with self._lock:
            page_id = self.pages
            self.pages += 1
            self.counts.update(forms)
            self._page_content.append(content)
            self._content_counts.update(content)
            for form in forms:
                seen = self._line_pages.setdefault(form, [])
                if len(seen) < self.sample:
                    seen.append(page_id)

    def threshold(self) -> int:
        return max(self.min_pages, math.ceil(self.min_share * self.pages))

    def _distinct_share(self, form: str) -> float:
        """Share of a line's pages that hold content no earlier page of the line held."""
        sample = self._line_pages.get(form, [])
        if not sample:
            return 0.0
        ubiquitous = self.pages / 2
        own = hash(form)
        union: set[int] = set()
        distinct = 0
        for page_id in sample:
            content = {
                h
                for h in self._page_content[page_id]
                if h != own and self._content_counts[h] < ubiquitous
            }
            if not content & union:
                distinct += 1
            union |= content
        return distinct / len(sample)

    def is_boilerplate(self, line: str, titles: tuple[str, ...] = ()) -> bool:
        """Is this whole paragraph a line that recurs across the site's pages?"""
        if self.pages < self.min_pages or not self.candidate(line):
            return False
        return self._recurs(masked(line, titles))

    def learned_fragments(self, paragraph: str, titles: tuple[str, ...] = ()) -> list[str]:
        """The bracketed asides of a paragraph that recur across the site's pages."""
        if self.pages < self.min_pages:
            return []
        return [
            m.group()
            for m in FRAGMENT.finditer(paragraph)
            if m.group() != paragraph and self._recurs(_FRAGMENT_KEY + masked(m.group(), titles))
        ]

    def _recurs(self, form: str) -> bool:
        count, floor = self.counts.get(form, 0), self.threshold()
        if count < floor:
            return False
        with self._lock:
            return count * self._distinct_share(form) >= floor

    def learned(self) -> list[tuple[str, int]]:
        """The lines now taken as boilerplate, most frequent first (for reports and logs)."""
        floor = self.threshold()
        with self._lock:
            return [
                (form, n)
                for form, n in self.counts.most_common()
                if n >= floor and n * self._distinct_share(form) >= floor
            ]


_TABLES: dict[str, LineTable] = {}
_TABLES_LOCK = threading.Lock()


def table_for(site: str) -> LineTable:
    """The process-wide table of one site (created empty on first use)."""
    with _TABLES_LOCK:
        return _TABLES.setdefault(site, LineTable())


def existing_table(site: str) -> LineTable | None:
    """The site's table if a spider of this process has observed its pages, else None."""
    with _TABLES_LOCK:
        return _TABLES.get(site)


def forget(site: str | None = None) -> None:
    """Drop one site's table, or all of them."""
    with _TABLES_LOCK:
        if site is None:
            _TABLES.clear()
        else:
            _TABLES.pop(site, None)


def page_lines(item) -> list[str]:
    """The lines of an (uncleaned) article the table counts: preamble and variant bodies."""
    lines = list(item.preamble)
    for variant in item.variants:
        lines.extend(variant.paragraphs)
    return lines


def item_titles(item) -> tuple[str, ...]:
    from fanwen_crawler.variants import declared_count

    stem, _ = declared_count(item.title)
    return (item.title, stem, *(v.title for v in item.variants))


def observe_item(item, table: LineTable | None = None) -> None:
    (table or table_for(item.site)).observe(page_lines(item), item_titles(item))
