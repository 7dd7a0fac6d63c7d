"""Cleaning: boilerplate paragraphs, link blocks and glued watermarks out; the body kept.

Rules are data (``data/rules/boilerplate.toml``). Every removal is recorded — which rule,
what text, where — so an analyst can audit what the corpus lost. Template placeholders
(``某某``, ``xxxx年``, ``XX``) are text and stay.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from fanwen_crawler.items import ArticleItem
from fanwen_crawler.learned import LineTable, item_titles
from fanwen_crawler.paths import DATA_DIR
from fanwen_crawler.textnorm import tidy
from fanwen_crawler.variants import declared_count

RULES_FILE = DATA_DIR / "rules" / "boilerplate.toml"
_SENTENCE_END = re.compile(r"[。!?!?;;]")
_LINK_LINE_MAX = 60  # a related-article line is a short title, perhaps with a date
KINDS = ("line", "block", "inline")


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str  # line | block | inline
    pattern: re.Pattern[str]
    max_len: int = 200

    def matches_line(self, paragraph: str) -> bool:
        return len(paragraph) <= self.max_len and bool(self.pattern.search(paragraph))


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]

    def for_kind(self, kind: str) -> tuple[Rule, ...]:
        return self._by_kind[kind]

    @cached_property
    def _by_kind(self) -> dict[str, tuple[Rule, ...]]:
        return {kind: tuple(r for r in self.rules if r.kind == kind) for kind in KINDS}


def _rule(raw: dict[str, Any]) -> Rule:
    return Rule(raw["name"], raw["kind"], re.compile(raw["pattern"]), raw.get("max_len", 200))


@lru_cache(maxsize=64)
def load_rules(site: str = "", path: Path = RULES_FILE) -> RuleSet:
    """Global rules plus the site's own, compiled once per site."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    raw = data.get("global", []) + data.get("site", {}).get(site, [])
    return RuleSet(tuple(_rule(r) for r in raw))


def _is_link_line(paragraph: str) -> bool:
    return len(paragraph) <= _LINK_LINE_MAX and not _SENTENCE_END.search(paragraph)


def clean_paragraphs(
    paragraphs: list[str],
    rules: RuleSet,
    titles: tuple[str, ...] = (),
    where: str = "",
    learned: LineTable | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """Remove boilerplate from one text's paragraphs; return (kept, removals)."""
    kept: list[str] = []
    removed: list[dict[str, Any]] = []
    in_block = False

    def note(rule: str, text: str, position: int) -> None:
        removed.append({"rule": rule, "text": text, "where": f"{where}paragraph {position}"})

    line_rules, block_rules = rules.for_kind("line"), rules.for_kind("block")
    inline_rules = rules.for_kind("inline")
    for position, paragraph in enumerate(paragraphs, start=1):
        if in_block and _is_link_line(paragraph):
            note("related_links", paragraph, position)
            continue
        in_block = False
        if block := next((r for r in block_rules if r.matches_line(paragraph)), None):
            note(block.name, paragraph, position)
            in_block = True
            continue
        if paragraph in titles and not kept:
            note("title_repeat", paragraph, position)
            continue
        if line := next((r for r in line_rules if r.matches_line(paragraph)), None):
            note(line.name, paragraph, position)
            continue
        if learned is not None and learned.is_boilerplate(paragraph, titles):
            note("learned_repeat", paragraph, position)
            continue
        for rule in inline_rules:
            if rule.pattern.search(paragraph):  # most paragraphs: no match, nothing to cut
                for match in list(rule.pattern.finditer(paragraph)):
                    note(rule.name, match.group(), position)
                paragraph = rule.pattern.sub("", paragraph)
        if learned is not None:
            for fragment in learned.learned_fragments(paragraph, titles):
                note("learned_fragment", fragment, position)
                paragraph = paragraph.replace(fragment, "", 1)
        paragraph = tidy(paragraph)
        if paragraph:
            kept.append(paragraph)
    return kept, removed


def clean_article(item: ArticleItem, learned: LineTable | None = None) -> ArticleItem:
    """Clean every variant of an article in place; the preamble is dropped and audited.

    ``learned`` is the site's table of recurring lines (fanwen_crawler.learned), when the
    caller has one: a crawl does, a single page (``fanwen extract``) does not.
    """
    rules = load_rules(item.site)
    stem, _ = declared_count(item.title)
    titles = (item.title, stem)
    all_titles = item_titles(item)
    for position, paragraph in enumerate(item.preamble, start=1):
        kept, removed = clean_paragraphs([paragraph], rules, all_titles, "preamble ", learned)
        rule = removed[0]["rule"] if removed else "preamble"
        item.removed.append(
            {"rule": rule, "text": paragraph, "where": f"preamble paragraph {position}"}
        )
        if kept:
            item.warnings.append(f"preamble text dropped: {paragraph[:40]}")
    item.preamble = []
    for variant in item.variants:
        kept, removed = clean_paragraphs(
            variant.paragraphs,
            rules,
            titles + (variant.title,),
            f"variant {variant.index} ",
            learned,
        )
        variant.paragraphs = kept
        variant.text = "\n".join(kept)
        item.removed.extend(removed)
    empty = [v.index for v in item.variants if not v.text]
    if empty:
        item.warnings.append(f"variants left empty by cleaning: {empty}")
        item.variants = [v for v in item.variants if v.text]
    return item
