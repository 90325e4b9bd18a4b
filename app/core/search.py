"""Search without caring about diacritics: Šimić finds Simic, and Simic finds Šimić.

Names are kept folded in a column of their own (lower case, no diacritics), and a search term
is folded the same way, so the same LIKE works on SQLite and PostgreSQL without extensions
(no unaccent, no ICU collations). đ has no decomposition in Unicode and is written "dj" as
often as "d" without diacritics (Đurić, Djurić, Durić): a folded text with a đ carries both.
"""

from __future__ import annotations

import unicodedata

# Letters Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans({"đ": "d", "ł": "l", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe"})


def _strip(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.translate(_LETTERS)


def fold(text: str) -> str:
    """The text to store for searching: lower case, without diacritics; with a đ, both the
    "d" and the "dj" spelling."""
    plain = _strip(text)
    if "đ" in text.casefold():
        plain += " " + _strip(text.casefold().replace("đ", "dj"))
    return " ".join(plain.split())


def like_patterns(term: str) -> list[str]:
    """LIKE patterns (with `\\` as the escape) that find `term` in folded text: one, or two
    for a term with a đ (Đuro finds both Đuro and Djuro)."""
    variants = {_strip(term)}
    if "đ" in term.casefold():
        variants.add(_strip(term.casefold().replace("đ", "dj")))
    patterns = []
    for variant in sorted(variants):
        words = " ".join(variant.split())
        escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        patterns.append(f"%{escaped}%")
    return patterns
