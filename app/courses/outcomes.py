"""Learning outcomes: what a learner can do after a course or lesson, tied to a competence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.sources import (
    item_line,
    key_line,
)
from app.core.validate import Checker


@dataclass(frozen=True)
class Outcome:
    """What a learner can do after a course or lesson, and the competence it evidences."""

    competence: str
    level: int
    text: dict[str, str]  # language -> text
    line: int = 1


def parse_outcomes(
    check: Checker,
    value: Any,
    line: int,
    claims: dict[str, int],
    languages: tuple[str, ...] | None,
) -> list[Outcome]:
    """A list of outcomes, each tied to a competence the course develops, at most at its level.

    `languages` given: each text is a {language: text} map (course.yml); None: one text
    (a lesson file, which is already in one language).
    """
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        check.error(line, "outcomes must be a list of competence, level and text")
        return []
    outcomes = []
    for index, item in enumerate(value):
        mapping = check.mapping(item, item_line(value, index), "an outcome")
        if mapping is None:
            continue
        check.keys(mapping, {"competence", "level", "text"}, set(), "an outcome")
        level = check.integer(mapping, "level", "level", 1, 4)
        code = mapping.get("competence")
        if code is not None and code not in claims:
            known = ", ".join(sorted(claims)) or "none"
            check.error(
                key_line(mapping, "competence"),
                f"outcome competence '{code}' is not one the course develops (course.yml: {known})",
            )
            continue
        if code is not None and level is not None and level > claims[code]:
            check.error(
                key_line(mapping, "level"),
                f"outcome level {level} is above the course's level {claims[code]} for '{code}'",
            )
            continue
        if languages is None:
            text = mapping.get("text")
            if not isinstance(text, str) or not text.strip():
                check.error(key_line(mapping, "text"), "the outcome's text is empty")
                continue
            texts = {"": text.strip()}
        else:
            texts = check.translated(mapping, "text", "the outcome's text", languages)
        if code is None or level is None or not texts:
            continue
        outcomes.append(Outcome(code, level, texts, mapping.line))
    return outcomes


def check_outcomes_cover_claims(
    check: Checker, outcomes: list[Outcome], claims: dict[str, int], line: int
) -> None:
    """Every competence a course claims should be evidenced by some course outcome."""
    missing = sorted(set(claims) - {outcome.competence for outcome in outcomes})
    for code in missing:
        check.warning(line, f"no course outcome evidences the competence '{code}'")
