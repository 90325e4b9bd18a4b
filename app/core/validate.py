"""Small checks shared by the loaders of author files, each reporting file:line problems."""

from __future__ import annotations

import re
from typing import Any

from app.core.sources import LineDict, Problem, key_line

LANGUAGES = ("sl", "hr", "en")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Checker:
    """Collects problems for one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def warning(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, is_warning=True))

    def mapping(self, value: Any, line: int, what: str) -> LineDict | None:
        # parse_yaml reads every YAML mapping as a LineDict, so this is the test for "a mapping".
        if not isinstance(value, LineDict):
            self.error(line, f"{what} must be a mapping of keys to values")
            return None
        return value

    def keys(self, mapping: LineDict, required: set[str], optional: set[str], what: str) -> None:
        for key in mapping:
            if key not in required | optional:
                known = ", ".join(sorted(required | optional))
                self.error(
                    key_line(mapping, key), f"unknown key '{key}' in {what} (known: {known})"
                )
        for key in sorted(required - set(mapping)):
            self.error(mapping.line, f"missing key '{key}' in {what}")

    def slug(self, mapping: LineDict, key: str, what: str) -> str | None:
        value = mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not SLUG_RE.match(value):
            self.error(
                key_line(mapping, key),
                f"{what} '{value}' must be lowercase letters, digits and hyphens",
            )
            return None
        return value

    def translated(
        self, mapping: LineDict, key: str, what: str, languages: tuple[str, ...] = LANGUAGES
    ) -> dict[str, str]:
        """A {language: text} map, with every language present and non-empty."""
        value = mapping.get(key)
        line = key_line(mapping, key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(line, f"{what} must give a text per language ({', '.join(languages)})")
            return {}
        result: dict[str, str] = {}
        for language, text in value.items():
            if language not in LANGUAGES:
                self.error(key_line(value, language), f"unknown language '{language}' in {what}")
            elif not isinstance(text, str) or not text.strip():
                self.error(key_line(value, language), f"{what} in '{language}' is empty")
            else:
                result[language] = text.strip()
        for language in languages:
            if language not in value:
                self.error(line, f"{what} missing in '{language}'")
        return result

    def integer(
        self, mapping: LineDict, key: str, what: str, minimum: int, maximum: int
    ) -> int | None:
        value = mapping.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not (minimum <= value <= maximum)
        ):
            self.error(
                key_line(mapping, key),
                f"{what} must be a whole number from {minimum} to {maximum}",
            )
            return None
        return value
