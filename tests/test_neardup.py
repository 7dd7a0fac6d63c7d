"""The comparison form and the MinHash/LSH functions, without a database."""

import numpy as np
import pytest
from dedup_texts import (
    SPEECH_A,
    SPEECH_B,
    dropped,
    edited,
    joined,
    traditional,
    with_placeholders,
)
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from fanwen_crawler import neardup
from fanwen_crawler.db import driver_rows
from fanwen_crawler.neardup import ShingleCache
from fanwen_crawler.textnorm import comparison_form, exact_hash

A = joined(SPEECH_A)


def test_comparison_form_folds_traditional_characters():
    assert comparison_form("禁毒誓師大會上講話") == comparison_form("禁毒誓师大会上讲话")


def test_comparison_form_folds_width_and_whitespace():
    assert comparison_form("同志们,大家好!\n ABC") == comparison_form("同志们, 大家好! abc")


@pytest.mark.parametrize("spelling", ["某某", "XX", "xxx", "ＸＸ", "××", "某某某"])
def test_comparison_form_folds_placeholders(spelling):
    assert comparison_form(f"{spelling}县{spelling}年") == "某县某年"


def test_comparison_form_keeps_a_single_x():
    assert comparison_form("X光检查") == "x光检查"


def test_traditional_quotation_marks_fold_to_simplified_ones():
    assert comparison_form("「好」") == comparison_form("“好”")


def test_traditional_copy_has_the_same_exact_hash():
    assert exact_hash(joined(traditional(SPEECH_A))) == exact_hash(A)


@pytest.mark.parametrize(
    "copy",
    [edited(SPEECH_A), dropped(SPEECH_A), traditional(SPEECH_A), with_placeholders(SPEECH_A)],
    ids=["edited", "paragraph-dropped", "traditional", "placeholders"],
)
def test_copies_are_over_the_default_threshold(copy):
    assert neardup.similarity(A, joined(copy)) >= neardup.DEFAULT_THRESHOLD


def test_speeches_sharing_a_template_opening_are_under_the_threshold():
    assert neardup.similarity(A, joined(SPEECH_B)) < neardup.DEFAULT_THRESHOLD


@pytest.mark.parametrize("copy", [edited(SPEECH_A), dropped(SPEECH_A)], ids=["edited", "dropped"])
def test_copies_share_a_band_bucket(copy):
    a, b = neardup.fingerprint(A), neardup.fingerprint(joined(copy))
    assert set(enumerate(a.buckets)) & set(enumerate(b.buckets))


def test_band_layout_fills_the_signature():
    bands, rows = neardup.band_layout()
    assert bands * rows <= neardup.NUM_PERM
    assert len(neardup.fingerprint(A).buckets) == bands


def test_signature_estimates_the_true_jaccard():
    # 40 pairs of random shingle sets with a known overlap: the MinHash estimate errs by
    # about sqrt(J(1-J)/NUM_PERM) ≈ 0.044; the mean error over 40 pairs stays far under 0.03.
    rng = np.random.default_rng(3)
    errors = []
    for _ in range(40):
        pool = np.unique(rng.integers(0, 2**32, 4000, dtype=np.uint64).astype(np.uint32))
        rng.shuffle(pool)
        a, b = np.sort(pool[:2000]), np.sort(pool[1000:3000])
        estimate = np.mean(neardup.signature(a) == neardup.signature(b))
        errors.append(estimate - neardup.jaccard(a, b))
    assert abs(np.mean(errors)) < 0.03
    assert np.std(errors) < 0.08


def test_shingles_are_distinct_and_sorted():
    hashes = neardup.shingle_hashes(comparison_form("同志们同志们同志们"))
    assert list(hashes) == sorted(set(hashes.tolist()))
    assert len(hashes) == 3  # 同志们, 志们同, 们同志


def test_short_and_empty_forms():
    assert len(neardup.shingle_hashes("好")) == 1
    assert len(neardup.shingle_hashes("")) == 0
    assert not neardup.fingerprint("很短的一句话。").indexable


def test_threshold_from_the_environment(monkeypatch):
    monkeypatch.setenv("FANWEN_NEAR_DUP_THRESHOLD", "0.8")
    assert neardup.threshold_from_env() == 0.8
    monkeypatch.setenv("FANWEN_NEAR_DUP_THRESHOLD", "1.5")
    with pytest.raises(ValueError):
        neardup.threshold_from_env()


def test_lock_keys_are_signed_32_bit_and_sorted():
    buckets = neardup.fingerprint(A).buckets
    keys = neardup.lock_keys([-(2**63), 2**63 - 1, *buckets], "ffffffff00")
    assert keys == sorted(keys) and all(-(2**31) <= k < 2**31 for k in keys)
    assert len(keys) >= len(set(buckets)) - 1  # distinct buckets keep (almost all) distinct keys


def test_buckets_are_signed_64_bit_and_differ_by_band():
    """The band number is mixed in: equal values in two bands give two buckets."""
    buckets = neardup.fingerprint(A).buckets
    assert all(-(2**63) <= b < 2**63 for b in buckets)
    same = np.zeros(neardup.NUM_PERM, dtype=np.uint32)  # every band holds the same values
    assert len(set(neardup.buckets(same))) == len(buckets)


def test_store_pipeline_takes_the_threshold_setting(monkeypatch):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from fanwen_crawler.pipelines.store import StorePipeline

    monkeypatch.setenv("FANWEN_NEAR_DUP_THRESHOLD", "0.6")
    crawler = get_crawler(Spider, {"FANWEN_NEAR_DUP_THRESHOLD": "0.8"})
    assert StorePipeline.from_crawler(crawler).writer.index.threshold == 0.8
    crawler = get_crawler(Spider, {})
    assert StorePipeline.from_crawler(crawler).writer.index.threshold == 0.6


def test_a_failing_driver_statement_raises_as_sqlalchemy_would(tmp_path):
    """The store retries a batch on SQLAlchemy's OperationalError: errors from the look-ups
    that go straight to the driver must arrive as that too, not as sqlite3's own."""
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    with engine.begin() as conn, pytest.raises(OperationalError, match="no_such_table"):
        driver_rows(conn, "SELECT id FROM no_such_table WHERE id = ?", (1,))
    engine.dispose()


def test_the_shingle_cache_keeps_the_most_recent_texts_within_its_bytes():
    cache = ShingleCache(max_bytes=3 * 400)
    for n in range(5):
        cache.put(f"h{n}", np.arange(100, dtype=np.uint32) + n)  # 400 bytes each
    assert cache.size == 1200
    assert [cache.get(f"h{n}") is None for n in range(5)] == [True, True, False, False, False]
    cache.get("h2")  # used: now the most recent
    cache.put("h5", np.arange(100, dtype=np.uint32))
    assert cache.get("h3") is None and cache.get("h2") is not None
    cache.put("h2", np.arange(50, dtype=np.uint32))  # replaced, not counted twice
    assert cache.size == 1000
