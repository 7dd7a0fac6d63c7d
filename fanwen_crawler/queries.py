"""The analysts' common questions as SQL, for docs/schema.md and Datasette's metadata.

Each query runs on SQLite as written (Datasette's ``:name`` parameters); all but the
FTS5 ``search`` run on PostgreSQL too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    sql: str


QUERIES: list[Query] = [
    Query(
        "texts_per_site_and_category",
        "Texts per site and category",
        "How many distinct texts each site and category holds, and how long they are.",
        """SELECT site, category, count(*) AS texts, sum(char_count) AS chars,
       round(avg(char_count)) AS avg_chars
FROM corpus
GROUP BY site, category
ORDER BY texts DESC""",
    ),
    Query(
        "longest_texts",
        "The longest texts",
        "The 50 longest distinct texts.",
        """SELECT id, site, category, variant_title, char_count, url
FROM corpus
ORDER BY char_count DESC
LIMIT 50""",
    ),
    Query(
        "copies_of_a_text",
        "Every copy of one text",
        "The canonical text and all its copies (exact and near), given the id of any of them.",
        """SELECT v.id, v.duplicate_of, v.similarity, s.name AS site, a.url, v.title,
       v.char_count
FROM variants v
JOIN articles a ON a.id = v.article_id
JOIN sites s ON s.id = a.site_id
WHERE coalesce(v.duplicate_of, v.id) =
      (SELECT coalesce(duplicate_of, id) FROM variants WHERE id = :id)
ORDER BY v.duplicate_of IS NOT NULL, v.id""",
    ),
    Query(
        "texts_that_mention",
        "Texts that mention a term",
        "Distinct texts containing :term (any length, `禁毒` included), most mentions first.",
        """SELECT id, site, category, variant_title,
       (length(text) - length(replace(text, :term, ''))) / length(:term) AS mentions,
       char_count, url
FROM corpus
WHERE text LIKE '%' || :term || '%'
ORDER BY mentions DESC, id
LIMIT 200""",
    ),
    Query(
        "search",
        "Full-text search (SQLite)",
        "Distinct texts whose text or title contains :q, found through the trigram index "
        "(:q needs at least three characters; use texts_that_mention for two), most "
        "mentions first, the first one marked in its context.",
        """WITH found AS (
  SELECT rowid AS id FROM corpus_fts
  WHERE text LIKE '%' || :q || '%' AND instr(lower(text), lower(:q)) > 0
  UNION
  SELECT rowid FROM corpus_fts
  WHERE title LIKE '%' || :q || '%' AND instr(lower(title), lower(:q)) > 0
),
hits AS (
  SELECT c.id, c.site, c.category, c.variant_title, c.url, c.text,
         instr(lower(c.text), lower(:q)) AS at
  FROM found JOIN corpus c ON c.id = found.id
)
SELECT id, site, category, variant_title,
       (length(text) - length(replace(lower(text), lower(:q), ''))) / length(:q) AS mentions,
       CASE WHEN at = 0 THEN substr(text, 1, 48) || '…'
            ELSE CASE WHEN at > 25 THEN '…' ELSE '' END
              || substr(text, max(1, at - 24), min(at - 1, 24))
              || '【' || substr(text, at, length(:q)) || '】'
              || substr(text, at + length(:q), 24) || '…'
       END AS snippet,
       url
FROM hits
ORDER BY mentions DESC, id
LIMIT 50""",
    ),
    Query(
        "duplicate_rate_per_site",
        "Duplicate rate per site",
        "Of each site's texts, how many are copies of a text seen first elsewhere or earlier.",
        """SELECT s.name AS site, count(*) AS variants,
       sum(CASE WHEN v.duplicate_of IS NOT NULL THEN 1 ELSE 0 END) AS copies,
       round(100.0 * sum(CASE WHEN v.duplicate_of IS NOT NULL THEN 1 ELSE 0 END)
             / count(*), 1) AS copy_percent
FROM variants v
JOIN articles a ON a.id = v.article_id
JOIN sites s ON s.id = a.site_id
GROUP BY s.name
ORDER BY copy_percent DESC""",
    ),
    Query(
        "crawl_runs",
        "Crawl runs",
        "Every crawl run, newest first, with how it ended.",
        """SELECT id, spider, started_at, finished_at, status, finish_reason
FROM crawl_runs
ORDER BY started_at DESC""",
    ),
]


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette metadata for a corpus file whose Datasette name is ``database``."""
    return {
        "title": "fanwen corpus",
        "description": "Distinct cleaned 范文 texts, one row each in the `corpus` view. "
        "Search them with the search query (three or more characters; trigram index) or "
        "the texts_that_mention query (any length, such as 禁毒).",
        "databases": {
            database: {
                "tables": {
                    # No fts_table: Datasette's table search quotes terms as FTS5 phrases,
                    # which an index without positions (migration 0006) cannot answer.
                    "corpus": {
                        "facets": ["site", "category"],
                        "sort": "id",
                        "size": 50,
                    },
                    "corpus_fts": {"hidden": True},
                    "minhash_bands": {"hidden": True},
                    "minhash_signatures": {"hidden": True},
                },
                "queries": {
                    q.name: {"title": q.title, "description": q.description, "sql": q.sql}
                    for q in QUERIES
                },
            }
        },
    }
