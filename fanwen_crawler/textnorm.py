"""Normal forms of text: what is stored, and what two texts are compared by.

The stored form (``tidy``) keeps the page's own characters. The comparison form
(``comparison_form``) is never stored: it only decides whether two texts are the same (the
exact hash) or nearly the same (the MinHash shingles in ``fanwen_crawler.neardup``).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from pathlib import Path

import numpy as np

_SPACES = re.compile(r"[ \t\u3000\xa0]+")
# Template placeholders, after NFKC and lower-casing: 某某, XX/xxx(x), ××, ***, ○○.
_PLACEHOLDER = re.compile(r"([某x×*○])\1+")
PLACEHOLDER = "某"
# Quotation marks that traditional-script pages use where simplified pages use “” ‘’.
_QUOTES = {"「": "“", "」": "”", "『": "‘", "』": "’"}


def tidy(paragraph: str) -> str:
    """The stored form of a paragraph: one line, runs of spaces collapsed, ends trimmed."""
    paragraph = paragraph.replace("\r", " ").replace("\n", " ")
    return _SPACES.sub(" ", paragraph).strip()


@functools.cache
def _t2s_table() -> np.ndarray:
    """Traditional → simplified, character by character, from OpenCC's own dictionaries.

    OpenCC's phrase-level ``t2s`` conversion (opencc-python-reimplemented) takes ~26 ms for
    3,000 characters, ``str.translate`` with this table ~0.5 ms, a numpy look-up table over
    code points ~0.03 ms (returned here: code point → code point). For
    comparison the character level is the better fold anyway: it is applied to both texts,
    so a simplified character that is also a traditional one (乾, 著, 於) folds the same way
    on both sides. Variant forms (TW/HK) fold to their standard traditional character first.
    """
    import opencc

    folder = Path(opencc.__file__).resolve().parent / "dictionary"
    table: dict[int, str] = {}
    for name in ("TWVariantsRev.txt", "HKVariantsRev.txt", "TSCharacters.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            source, _, targets = line.partition("\t")
            if len(source) == 1 and targets:
                target = targets.split(" ")[0]
                # a variant folds to its standard character, which may itself fold further
                table[ord(source)] = "".join(table.get(ord(c), c) for c in target)
    for source in list(table):  # resolve variant → traditional → simplified chains
        table[source] = "".join(table.get(ord(c), c) for c in table[source])
    for source, target in _QUOTES.items():
        table[ord(source)] = target
    lut = np.arange(0x110000, dtype=np.uint32)
    for source, target in table.items():
        if len(target) == 1:
            lut[source] = ord(target)
    return lut


def to_simplified(text: str) -> str:
    """Traditional characters folded to simplified (character level, for comparison only)."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return _t2s_table()[points].tobytes().decode("utf-32-le")


@functools.lru_cache(maxsize=512)
def comparison_form(text: str) -> str:
    """The form two texts are compared by; never stored.

    Cached for the last texts seen: a text's exact hash, its fingerprint and a look-up
    confirming it against candidates each need the form (~35 µs for 3,000 characters).

    Width folded (NFKC: full-width letters, digits and punctuation → half-width), case and
    all whitespace dropped, traditional characters folded to simplified, and template
    placeholders (某某, XX, xxxx, ××) folded to one ``某``.
    """
    text = "".join(unicodedata.normalize("NFKC", text).split()).lower()
    return _PLACEHOLDER.sub(PLACEHOLDER, to_simplified(text)) if text else text


def exact_hash(text: str) -> str:
    """Hash of the comparison form: equal for texts that differ only in width, spacing,
    script (traditional/simplified) or placeholder spelling."""
    return hashlib.sha256(comparison_form(text).encode("utf-8")).hexdigest()


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
