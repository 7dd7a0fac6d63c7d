"""Full-text search over the ``corpus`` view, for Chinese, on SQLite and PostgreSQL.

The index (migration ``0002_search``):

- SQLite: the FTS5 table ``corpus_fts(title, text)`` with the ``trigram`` tokenizer, one row
  per canonical variant (``rowid`` = ``variants.id`` = ``corpus.id``), kept in step by
  triggers on ``variants`` (INSERT, DELETE, UPDATE OF title/text/duplicate_of). Only
  canonicals are indexed; queries still join ``corpus``, so the view stays the one source of
  truth for what a "text" is.
- PostgreSQL: partial GIN ``gin_trgm_ops`` indexes on ``variants.text``/``variants.title``
  (WHERE duplicate_of IS NULL), used by ``ILIKE '%term%'`` over the view.

The SQLite index keeps no trigram positions (``detail=none``, migration 0006: its upkeep
then stays flat as the corpus grows); it answers which texts hold a trigram.

Queries: whitespace separates terms, all must occur (AND), each term is matched as a literal
substring (no query syntax reaches the engine: terms are bound parameters, quoted as FTS5
strings). Trigrams need three characters: on SQLite, the trigrams of terms of three or more
characters are AND-ed in ``MATCH`` (ranked by bm25) and every term is confirmed as a
substring with ``instr``; a query of only shorter terms such as ``禁毒`` is an ``instr`` scan
of the indexed rows (the canonical texts; ranked by how often the term occurs). PostgreSQL
ranks every query by occurrences. Snippets are cut in Python, the same on both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, text

# Names the search migration creates that the models do not describe (FTS5 shadow tables,
# PostgreSQL trigram indexes); Alembic's autogenerate and the models check skip them.
SEARCH_TABLE = "corpus_fts"
SEARCH_INDEXES = ("ix_variants_text_trgm", "ix_variants_title_trgm")
MIN_TRIGRAM = 3


def include_name(name: str | None, type_: str, parent_names: Any = None) -> bool:
    """Alembic ``include_name`` hook: leave the search index's own objects alone."""
    if name is None:
        return True
    if type_ == "table" and (name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_")):
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)


@dataclass
class Hit:
    id: int
    site: str
    category: str
    article_title: str
    variant_title: str
    url: str
    char_count: int
    score: float
    text: str
    snippet: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data.pop("text")
        return data


def terms_of(query: str) -> list[str]:
    """The query's terms: whitespace-separated, empty ones dropped, duplicates once."""
    seen: dict[str, None] = {}
    for term in query.split():
        seen.setdefault(term, None)
    return list(seen)


def fts5_string(term: str) -> str:
    """A term as an FTS5 string literal (no query syntax reaches the engine)."""
    return '"' + term.replace('"', '""') + '"'


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filters(site: str | None, category: str | None, params: dict[str, Any]) -> list[str]:
    where = []
    if site:
        where.append("c.site = :site")
        params["site"] = site
    if category:  # a part of the category path: 演讲致辞 finds 范文/演讲致辞
        where.append("c.category LIKE :category ESCAPE '\\'")
        params["category"] = like_pattern(category)
    return where


def _occurrences(column: str, param: str) -> str:
    """SQL for how often :param occurs in column, case-folded (the same on both dialects)."""
    return (
        f"((length(lower({column})) - length(replace(lower({column}), lower(:{param}), '')))"
        f" / length(:{param}))"
    )


def trigrams(term: str) -> list[str]:
    """The term's trigrams, in order: what the index holds of it (none for shorter terms)."""
    return [term[i : i + MIN_TRIGRAM] for i in range(len(term) - MIN_TRIGRAM + 1)]


def _sqlite_query(terms: list[str], where: list[str], params: dict[str, Any]) -> str:
    # The index has no positions (migration 0006): it finds the texts holding every trigram
    # of the long terms; each term is then confirmed as a substring of the title or text.
    grams = dict.fromkeys(g for t in terms for g in trigrams(t))  # each once, in order
    if grams:
        where.append(f"{SEARCH_TABLE} MATCH :match")
        params["match"] = " AND ".join(fts5_string(g) for g in grams)
    counts = []
    for i, term in enumerate(terms):
        params[f"s{i}"] = term
        where.append(  # casefold: db.py's SQL function, Unicode-wide like the index
            f"(instr(casefold({SEARCH_TABLE}.text), casefold(:s{i})) > 0"
            f" OR instr(casefold({SEARCH_TABLE}.title), casefold(:s{i})) > 0)"
        )
        counts.append(_occurrences(f"{SEARCH_TABLE}.text", f"s{i}"))
    score = f"bm25({SEARCH_TABLE})" if grams else "-(" + " + ".join(counts) + ")"
    return (
        "SELECT c.id, c.site, c.category, c.article_title, c.variant_title, c.url, "
        f"c.char_count, {score} AS score, c.text "
        f"FROM {SEARCH_TABLE} JOIN corpus c ON c.id = {SEARCH_TABLE}.rowid "
        f"WHERE {' AND '.join(where)} ORDER BY score, c.id LIMIT :limit"
    )


def _like_query(terms: list[str], where: list[str], params: dict[str, Any]) -> str:
    counts = []
    for i, term in enumerate(terms):
        params[f"p{i}"] = like_pattern(term)
        params[f"s{i}"] = term
        where.append(f"(c.text ILIKE :p{i} ESCAPE '\\' OR c.variant_title ILIKE :p{i} ESCAPE '\\')")
        counts.append(_occurrences("c.text", f"s{i}"))
    return (
        "SELECT c.id, c.site, c.category, c.article_title, c.variant_title, c.url, "
        f"c.char_count, -({' + '.join(counts)}) AS score, c.text "
        f"FROM corpus c WHERE {' AND '.join(where)} ORDER BY score, c.id LIMIT :limit"
    )


def search(
    bind: Engine | Connection,
    query: str,
    *,
    site: str | None = None,
    category: str | None = None,
    limit: int = 10,
    width: int = 80,
    marks: tuple[str, str] = ("【", "】"),
) -> list[Hit]:
    """Ranked hits for ``query`` (best first), each with a highlighted snippet."""
    terms = terms_of(query)
    if not terms:
        return []
    params: dict[str, Any] = {"limit": limit}
    where = _filters(site, category, params)
    if bind.dialect.name == "sqlite":
        sql = _sqlite_query(terms, where, params)
    else:
        sql = _like_query(terms, where, params)
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            rows = connection.execute(text(sql), params).all()
    else:
        rows = bind.execute(text(sql), params).all()
    hits = [Hit(**row._mapping) for row in rows]
    for hit in hits:
        hit.snippet = snippet(hit.text, terms, width=width, marks=marks)
    return hits


def snippet(
    body: str, terms: list[str], *, width: int = 80, marks: tuple[str, str] = ("【", "】")
) -> str:
    """About ``width`` characters of ``body`` around the first term found, terms marked."""
    flat = re.sub(r"\s+", " ", body).strip()
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    first = pattern.search(flat)
    start = max(0, (first.start() if first else 0) - width // 3)
    end = min(len(flat), start + width)
    window = flat[start:end]
    marked = pattern.sub(lambda m: f"{marks[0]}{m.group(0)}{marks[1]}", window)
    return ("…" if start > 0 else "") + marked + ("…" if end < len(flat) else "")
