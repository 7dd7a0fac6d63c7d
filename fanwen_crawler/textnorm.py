"""Normal forms of text: what is stored, and what two texts are compared by."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_ALL_SPACE = re.compile(r"\s+")


def tidy(paragraph: str) -> str:
    """The stored form of a paragraph: one line, runs of spaces collapsed, ends trimmed."""
    paragraph = paragraph.replace("\r", " ").replace("\n", " ")
    return _SPACES.sub(" ", paragraph).strip()


def comparison_form(text: str) -> str:
    """Fold width (NFKC: full-width punctuation → half-width), case and all whitespace.

    Never stored: it only decides whether two texts are the same.
    """
    return _ALL_SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def exact_hash(text: str) -> str:
    """Hash of the comparison form: equal for texts that differ only in width or spacing."""
    return hashlib.sha256(comparison_form(text).encode("utf-8")).hexdigest()


def bytes_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
