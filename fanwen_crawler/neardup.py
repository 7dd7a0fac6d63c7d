"""Near-duplicate detection: MinHash over character shingles, LSH bands kept in the database.

A text is compared by its comparison form (``textnorm.comparison_form``: width, script and
placeholders folded). Its set of character ``SHINGLE``-grams is summarised by a MinHash
signature of ``NUM_PERM`` values, cut into ``BANDS`` bands of ``ROWS`` values; each band is
hashed to a bucket. Two texts whose Jaccard similarity is ``s`` share at least one bucket
with probability ``1 - (1 - s**ROWS)**BANDS``: the bands find *candidates*, and a candidate
counts as a copy only when the true Jaccard similarity of the two shingle sets reaches the
threshold (``FANWEN_NEAR_DUP_THRESHOLD``).

The index is the table ``minhash_bands`` (bucket → variant), one row per band of every
canonical variant, keyed (bucket, variant_id): finding a text's candidates costs ``BANDS``
probes of that one B-tree whatever the corpus size, and nothing is held in memory, so copies
are found across crawl runs, sites and workers. A bucket is a signed 64-bit integer with the
band number mixed in: 3.2 million rows (100,000 canonicals) take ~90 MB, where text keys in
a table plus a (band, bucket) index took about three times that and fell out of SQLite's
page cache (``benchmarks/dedup_scaling.py``, docs/dedup.md).

Hashing. datasketch's ``MinHash.update_batch`` takes ~9 ms for a 3,000-character text (a
SHA-1 per shingle, then 64-bit arithmetic modulo a Mersenne prime), far over the ~1.5 ms per
document the crawl can spend. Here shingles are hashed with numpy (a polynomial over code
points and a 64-bit finaliser), and the ``NUM_PERM`` hash functions are multiply-add
permutations of the 32-bit shingle hashes (~0.3 ms in all). Their estimates have the
variance theory predicts (checked in tests/test_neardup.py against the true Jaccard).
datasketch still chooses the band layout: ``MinHashLSH``'s optimiser, which weighs false
positives against false negatives by integrating the S-curve.

The layout (``SHINGLE``, ``NUM_PERM``, ``BANDS``, ``ROWS``, the seed) is part of the stored
index: changing it needs the index rebuilt (``fanwen dups --reindex``). The threshold is not:
it only confirms candidates, and any threshold at or above ``DESIGN_THRESHOLD`` keeps the
recall the layout was chosen for.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.orm import Session

from fanwen_crawler.db import driver_rows
from fanwen_crawler.models import MinHashBand, MinHashSignature, Variant
from fanwen_crawler.textnorm import comparison_form

SHINGLE = 3  # characters per shingle (measured: benchmarks/near_dup_threshold.py)
NUM_PERM = 128
DESIGN_THRESHOLD = 0.4  # the lowest threshold the band layout is tuned for
DEFAULT_THRESHOLD = 0.5  # FANWEN_NEAR_DUP_THRESHOLD (measured: benchmarks/near_dup_threshold.py)
MIN_CHARS = 50  # shorter comparison forms are matched exactly only
SEED = 20261129

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@functools.cache
def band_layout() -> tuple[int, int]:
    """(bands, rows) for ``DESIGN_THRESHOLD``, by datasketch's optimiser: (32, 4).

    A pair is found with probability 0.87 at similarity 0.5, 0.988 at 0.6, 0.9995 at 0.7
    (measured copies: median 0.84). Weighting false negatives higher gives (31, 3): 0.984 at
    0.5, but texts of one topic (similarity 0.2–0.3, measured) then become candidates 22–57%
    of the time instead of 5–23%, and each candidate costs a similarity check; on a corpus
    with thousands of speeches per topic that cost grows with the corpus.
    """
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=DESIGN_THRESHOLD, num_perm=NUM_PERM, weights=(0.5, 0.5))
    return lsh.b, lsh.r


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    a = rng.integers(1, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    b = rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
    return a[:, None], b[:, None]


def threshold_from_env(default: float = DEFAULT_THRESHOLD) -> float:
    """FANWEN_NEAR_DUP_THRESHOLD from the environment, else ``default``; must be in (0, 1]."""
    value = os.environ.get("FANWEN_NEAR_DUP_THRESHOLD")
    return checked_threshold(float(value) if value else default)


def threshold_setting(settings) -> float:
    """The Scrapy setting FANWEN_NEAR_DUP_THRESHOLD (``-s``), else the environment's, else
    ``DEFAULT_THRESHOLD``."""
    value = settings.get("FANWEN_NEAR_DUP_THRESHOLD")
    return checked_threshold(float(value)) if value not in (None, "") else threshold_from_env()


def checked_threshold(threshold: float) -> float:
    if not 0 < threshold <= 1:
        raise ValueError(f"FANWEN_NEAR_DUP_THRESHOLD must be in (0, 1], got {threshold}")
    return threshold


def _mix64(h: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every output bit depends on every input bit."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def shingle_hashes(form: str, size: int = SHINGLE) -> np.ndarray:
    """The distinct 32-bit hashes of the ``size``-character shingles of ``form`` (sorted).

    A form shorter than ``size`` is one shingle; an empty form has none.
    """
    if not form:
        return np.empty(0, dtype=np.uint32)
    points = np.frombuffer(form.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    size = min(size, len(points))
    count = len(points) - size + 1
    h = points[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, size):
            h *= np.uint64(0x100000001B3)
            h += points[offset : offset + count]
        h = _mix64(h)
    return _distinct((h >> np.uint64(32)).astype(np.uint32))


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique's hash-based path is ~10x slower at this size)."""
    values.sort()
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def signature(shingles: np.ndarray) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint32 values) of a set of shingle hashes."""
    a, b = _permutations()
    values = a * shingles[None, :]  # wraps modulo 2**32: a permutation of the hash space
    values += b
    return values.min(axis=1)


def buckets(sig: np.ndarray) -> list[int]:
    """One bucket per band: a 64-bit BLAKE2b of the band's values with the band number mixed
    in (so one key column serves all bands), as a signed 64-bit integer (a BIGINT)."""
    bands, rows = band_layout()
    raw = sig.astype("<u4").tobytes()
    width = rows * 4
    return [
        band_key(
            band,
            int.from_bytes(
                hashlib.blake2b(raw[band * width : (band + 1) * width], digest_size=8).digest(),
                "big",
            ),
        )
        for band in range(bands)
    ]


def band_key(band: int, digest: int) -> int:
    """The stored key of a band's unsigned 64-bit digest: XOR a per-band constant (SplitMix64
    of the band number), then read as signed. Reversible: migration 0004 converts keys of
    the earlier (band, hex digest) rows with it."""
    value = digest ^ _band_salt(band)
    return value - 2**64 if value >= 2**63 else value


@functools.cache
def _band_salt(band: int) -> int:
    return int(_mix64(np.array([band + 1], dtype=np.uint64))[0])


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted, distinct shingle-hash arrays."""
    if not len(a) or not len(b):
        return 1.0 if not len(a) and not len(b) else 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


@dataclass(frozen=True)
class Fingerprint:
    """What near-duplicate detection needs of one text (shared: ``fingerprint`` caches it)."""

    shingles: np.ndarray
    buckets: list[int]  # empty when the text is too short to be matched approximately
    signature: np.ndarray | None = None  # NUM_PERM uint32 values, when indexable

    @property
    def indexable(self) -> bool:
        return bool(self.buckets)


@functools.lru_cache(maxsize=1024)
def fingerprint(text: str) -> Fingerprint:
    """The text's fingerprint; the last 1,024 are kept, so the store can compute a batch's
    before its transaction opens and find them ready inside it."""
    form = comparison_form(text)
    shingles = shingle_hashes(form)
    if len(form) < MIN_CHARS:
        return Fingerprint(shingles, [])
    sig = signature(shingles)
    return Fingerprint(shingles, buckets(sig), sig)


def estimated_similarity(sig_a: np.ndarray, packed_b: bytes) -> float:
    """The MinHash estimate of the Jaccard similarity: the share of equal signature values."""
    sig_b = np.frombuffer(packed_b, dtype="<u4")
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a) if len(sig_b) == len(sig_a) else 1.0


def similarity(text_a: str, text_b: str) -> float:
    """True Jaccard similarity of two texts' shingle sets (over their comparison forms)."""
    return jaccard(shingle_hashes(comparison_form(text_a)), shingle_hashes(comparison_form(text_b)))


# --- the index in the database ----------------------------------------------------------

LOCK_NAMESPACE = 0x46574E44  # "FWND": the first key of our two-key advisory locks
MAX_CANDIDATES = 20  # candidates checked per text: those sharing the most bands
# A candidate whose signature estimates its similarity this far below the threshold is set
# aside without its text being read and re-shingled. The estimate's standard deviation is
# sqrt(s(1-s)/NUM_PERM) <= 0.044: a copy at the threshold is set aside with probability
# below 1e-5 (4.5 standard deviations); benchmarks/dedup_scaling.py measures recall.
SCREEN_MARGIN = 0.2


def lock_keys(bucket_keys: Iterable[int], exact: str) -> list[int]:
    """Signed 32-bit advisory-lock keys for a text's buckets (their high halves) and its exact
    hash (hex), sorted."""
    keys = {key >> 32 for key in bucket_keys}
    keys.add(int(exact[:8], 16) - 2**31)
    return sorted(keys)


class ShingleCache:
    """The shingle hashes of recently seen texts, by exact hash (the hash of the comparison
    form, which is all the shingles depend on), least recently used dropped past ``max_bytes``
    of hashes (4 bytes per distinct shingle: ~2.6 KB for a 700-character text, ~12 KB for
    3,000 characters).

    One canonical is confirmed as a candidate again and again (texts of one topic share
    paragraphs): on the scaled benchmark site two of three confirmations were of a text
    shingled before. A hit spares reading the text and shingling it again. Keyed by content,
    so one cache serves every run and database of the process (``SHINGLES``).
    """

    def __init__(self, max_bytes: int = 32 * 2**20) -> None:
        self.max_bytes = max_bytes
        self.size = 0  # bytes of hashes held
        self._entries: OrderedDict[str, np.ndarray] = OrderedDict()

    def get(self, exact: str) -> np.ndarray | None:
        shingles = self._entries.get(exact)
        if shingles is not None:
            self._entries.move_to_end(exact)
        return shingles

    def put(self, exact: str, shingles: np.ndarray) -> None:
        if (old := self._entries.pop(exact, None)) is not None:
            self.size -= old.nbytes
        self._entries[exact] = shingles
        self.size += shingles.nbytes
        while self.size > self.max_bytes:
            self.size -= self._entries.popitem(last=False)[1].nbytes


SHINGLES = ShingleCache()


@dataclass
class Match:
    canonical: int
    similarity: float
    kind: str  # "exact" or "near"


class NearDupIndex:
    """The persistent index: finds a text's canonical, and indexes new canonicals.

    Consistency between concurrent writers:

    * PostgreSQL: before looking a text up, the transaction takes a transaction-scoped
      advisory lock on each of its band buckets and on its exact hash (``LOCK_NAMESPACE``,
      key), in sorted order. Two near-duplicates share a bucket (that is how they are found),
      so the second one's lookup waits until the first one's transaction has committed and
      then, under READ COMMITTED, sees its rows. Locks taken for different texts of one batch
      can still cross between two workers: PostgreSQL then aborts one transaction as a
      deadlock, and the store pipeline retries that batch whole.
    * SQLite: a transaction writes its article row before it looks up variants, so it holds
      the database's single write lock for every lookup and insert that follows; a writer
      whose snapshot went stale gets SQLITE_BUSY and retries its batch.

    Deterministic rule: the canonical of a cluster is the first-seen text (lowest id); among
    candidates over the threshold the most similar wins, ties to the lowest id.
    """

    def __init__(self, threshold: float | None = None) -> None:
        self.threshold = threshold_from_env() if threshold is None else checked_threshold(threshold)

    def lock(self, session: Session, fp: Fingerprint, exact: str) -> None:
        if session.get_bind().dialect.name != "postgresql":
            return
        keys = lock_keys(fp.buckets, exact)
        session.execute(
            text(
                "SELECT count(pg_advisory_xact_lock(:ns, k)) "
                "FROM unnest(CAST(:keys AS integer[])) AS k"
            ),
            {"ns": LOCK_NAMESPACE, "keys": keys},
        )

    def match(
        self,
        session: Session,
        exact: str,
        fp: Fingerprint,
        article_id: int | None,
        ignore_article: int | None = None,
    ) -> Match | None:
        """The canonical this text is a copy of, or None if it is a new text.

        Exact copies (same comparison form) match anywhere, sibling variants of the same
        page included. Near copies never match a sibling: texts of one page that share a
        template are different texts. ``ignore_article``'s variants are about to go.
        """
        conn = session.connection()
        found = driver_rows(conn, _EXACT_SQL, (exact, ignore_article or 0))
        if found:
            return Match(found[0][0], 1.0, "exact")
        if not fp.indexable:
            return None
        SHINGLES.put(exact, fp.shingles)  # a new text is usually a canonical from now on
        floor = self.threshold - SCREEN_MARGIN
        shingles = {
            id_: SHINGLES.get(exact_hash)
            for id_, article, exact_hash, stored in driver_rows(conn, _candidates_sql(), fp.buckets)
            if article not in (article_id, ignore_article)
            and (
                stored is None
                or fp.signature is None
                or estimated_similarity(fp.signature, stored) >= floor
            )
        }
        if missing := [id_ for id_, known in shingles.items() if known is None]:
            marks = ", ".join("?" * len(missing))
            for id_, text_, exact_hash in driver_rows(conn, _TEXTS_SQL.format(marks), missing):
                shingles[id_] = shingle_hashes(comparison_form(text_))
                SHINGLES.put(exact_hash, shingles[id_])
        best: Match | None = None
        for id_ in sorted(shingles):
            if shingles[id_] is None:
                continue  # no longer a canonical (the text query keeps canonicals only)
            sim = jaccard(fp.shingles, shingles[id_])
            if sim >= self.threshold and (best is None or sim > best.similarity):
                best = Match(id_, round(sim, 4), "near")
        return best

    @staticmethod
    def add(session: Session, variant_id: int, fp: Fingerprint) -> None:
        """Index a canonical's bands and keep its signature (nothing for a text too short to
        index)."""
        if not fp.indexable:
            return
        conn = session.connection()
        rows = [(bucket, variant_id, band) for band, bucket in enumerate(fp.buckets)]
        driver_rows(conn, _INSERT_BANDS, rows, many=True)
        if fp.signature is not None:
            driver_rows(conn, _INSERT_SIGNATURE, (variant_id, packed(fp.signature)))

    def remove(self, session: Session, variant_id: int) -> None:
        conn = session.connection()
        conn.execute(_DELETE_BANDS, {"variant_id": variant_id})
        conn.execute(_DELETE_SIGNATURE, {"variant_id": variant_id})


# The statements of every look-up, as the driver takes them (``driver_rows``).
_EXACT_SQL = (
    "SELECT id FROM variants WHERE exact_hash = ? AND duplicate_of IS NULL "
    "AND article_id != ? ORDER BY id LIMIT 1"
)
_TEXTS_SQL = "SELECT id, text, exact_hash FROM variants WHERE id IN ({}) AND duplicate_of IS NULL"
_INSERT_BANDS = "INSERT INTO minhash_bands (bucket, variant_id, band) VALUES (?, ?, ?)"
_INSERT_SIGNATURE = "INSERT INTO minhash_signatures (variant_id, signature) VALUES (?, ?)"
_DELETE_BANDS = delete(MinHashBand.__table__).where(
    MinHashBand.__table__.c.variant_id == bindparam("variant_id")
)
_DELETE_SIGNATURE = delete(MinHashSignature.__table__).where(
    MinHashSignature.__table__.c.variant_id == bindparam("variant_id")
)


@functools.cache
def _candidates_sql():
    """Canonical variants sharing a bucket with a text, most shared first, with their article,
    exact hash (the shingle cache's key) and signature (NULL if stored before signatures were
    kept).

    ``bucket IN (…)`` on the leading primary-key column: one probe per band on SQLite and on
    PostgreSQL. Built once: composing the statement per look-up costs more than the look-up.
    """
    bands, _ = band_layout()
    keys = ", ".join("?" * bands)
    return (
        "SELECT c.variant_id AS id, v.article_id, v.exact_hash, s.signature FROM ("
        f"SELECT variant_id, count(*) AS hits FROM minhash_bands WHERE bucket IN ({keys}) "
        f"GROUP BY variant_id ORDER BY count(*) DESC, variant_id LIMIT {MAX_CANDIDATES}"
        ") AS c JOIN variants v ON v.id = c.variant_id "
        "LEFT JOIN minhash_signatures s ON s.variant_id = c.variant_id "
        "WHERE v.duplicate_of IS NULL"
    )


def packed(sig: np.ndarray) -> bytes:
    """A signature as stored: NUM_PERM little-endian uint32 values."""
    return sig.astype("<u4").tobytes()


def rebuild(session: Session, batch: int = 1000) -> int:
    """Drop and rebuild the band index and signatures from the canonicals' texts (after a
    layout change, or to fill signatures of canonicals stored before they were kept)."""
    session.execute(delete(MinHashBand))
    session.execute(delete(MinHashSignature))
    count = 0
    last = 0
    while True:
        rows = session.execute(
            select(Variant.id, Variant.text)
            .where(Variant.duplicate_of.is_(None), Variant.id > last)
            .order_by(Variant.id)
            .limit(batch)
        ).all()
        if not rows:
            return count
        for row in rows:
            fp = fingerprint(row.text)
            if fp.indexable:
                NearDupIndex.add(session, row.id, fp)
                count += 1
        last = rows[-1].id
