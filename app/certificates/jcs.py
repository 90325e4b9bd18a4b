"""The JSON Canonicalization Scheme (RFC 8785) for the JSON our credentials are made of."""

from __future__ import annotations

import json
from typing import Any

# RFC 8785 serialises numbers as ECMAScript does; integers are exact only up to 2**53.
MAX_SAFE_INTEGER = 2**53 - 1


class JcsError(ValueError):
    """A value RFC 8785 cannot canonicalise, or one we do not sign (non-integer numbers)."""


def _string(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate: not I-JSON (RFC 7493)
        raise JcsError("a string holds an unpaired surrogate") from error
    # json.dumps escapes exactly what ECMAScript's JSON.stringify does when it may keep
    # non-ASCII as it is: the quote, the backslash and the control characters below U+0020
    # (\b \t \n \f \r or \u00xx with lower-case hex).
    return json.dumps(value, ensure_ascii=False)


def _number(value: int | float) -> str:
    if isinstance(value, float):
        # Our credentials hold no fractions; ECMAScript's shortest round-trip form of a
        # float is not Python's, so one is refused rather than canonicalised wrongly.
        raise JcsError("a number that is not an integer")
    if abs(value) > MAX_SAFE_INTEGER:
        raise JcsError("an integer beyond 2**53")
    return str(value)


def canonical(value: Any) -> str:
    """The RFC 8785 form of a JSON value: no whitespace, object members sorted by the UTF-16
    code units of their names."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        members = sorted(value.items(), key=lambda item: item[0].encode("utf-16-be"))
        return "{" + ",".join(f"{_string(name)}:{canonical(item)}" for name, item in members) + "}"
    raise JcsError(f"not a JSON value: {type(value).__name__}")
