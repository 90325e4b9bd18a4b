"""Typed answers and written numbers: how they are compared, read and written back."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def strip_diacritics(text: str) -> str:
    """č -> c, ć -> c, š -> s, ž -> z, and đ -> d, which has no Unicode decomposition."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize_text(text: str, ignore_diacritics: bool = False) -> str:
    """A typed answer as compared: trimmed, inner whitespace collapsed, case-folded."""
    text = " ".join(text.split()).casefold()
    if ignore_diacritics:
        return strip_diacritics(text)
    # NFC so that a "č" typed as c + combining caron equals the precomposed one.
    return unicodedata.normalize("NFC", text)


def _ungroup(compact: str) -> str | None:
    """Digits without the separators people write between them; None when it is no number."""
    if "," in compact and "." in compact:
        # Both separators: the last one is the decimal separator, the other groups thousands.
        if compact.rfind(",") > compact.rfind("."):
            return compact.replace(".", "").replace(",", ".")
        return compact.replace(",", "")
    if compact.count(",") == 1:
        return compact.replace(",", ".")
    if compact.count(",") > 1 or compact.count(".") > 1:
        separator = "," if "," in compact else "."
        if not re.fullmatch(rf"[+-]?[0-9]{{1,3}}(?:{re.escape(separator)}[0-9]{{3}})+", compact):
            return None
        return compact.replace(separator, "")
    return compact


def parse_number(text: Any) -> float | None:
    """A number as people type it: "3,5" and "3.5" alike, "1 000,5" and "1,000.5" too."""
    if not isinstance(text, str):
        return None
    compact = _ungroup(re.sub(r"[\s'\u00a0\u202f]", "", text.replace("\u2212", "-")))
    if compact is None or not NUMBER_RE.fullmatch(compact):
        return None
    value = float(compact)
    return value if math.isfinite(value) else None


def percent_to_fraction(percent: float) -> float:
    """50 -> 0.5; rounded so that a weight written back as a percentage reads back the same."""
    return round(percent / 100, 9)


def format_number(value: float) -> str:
    """A float written so that reading it back gives the same float: 3 not 3.0, 0.1 not 0.10000."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def percent_text(fraction: float) -> str:
    """A weight as the percentage both file formats write: 0.5 -> "50"."""
    return format_number(round(fraction * 100, 7))
