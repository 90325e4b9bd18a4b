"""What higher packages add to a course: completion requirements and parts of its page.

Courses know nothing of quizzes; the quizzes package registers here, in its `init_app`, that a
course with a quiz is complete only once it is passed, and what the course page shows of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.courses.models import Course

Requirement = Callable[[int, int], bool]  # (user id, course id) -> met?
PageContext = Callable[[Course], dict[str, Any]]  # values the course page's template shows

_requirements: list[Requirement] = []
_page_context: list[PageContext] = []


def add_requirement(check: Requirement) -> None:
    """Register a completion requirement (once, however often the app is made)."""
    if check not in _requirements:
        _requirements.append(check)


def requirements_met(user_id: int, course_id: int) -> bool:
    return all(check(user_id, course_id) for check in _requirements)


def add_page_context(provider: PageContext) -> None:
    """Register values for the course page (once, however often the app is made)."""
    if provider not in _page_context:
        _page_context.append(provider)


def page_context(course: Course) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for provider in _page_context:
        values.update(provider(course))
    return values
