"""The workload a course's content takes, estimated from its text, activities and quiz.

Certificates print a course's `workload_hours`, so `flask courses check` compares it with
this estimate and warns when they differ by more than a tolerance. The rate and the formula
are documented in docs/authoring.md ("Workload").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.questions.types import QUESTION_TYPES

if TYPE_CHECKING:
    from app.courses.sources import CourseSource

# Words per minute for studying a lesson: slower than reading for pleasure, because learners
# read to apply what they read, follow tables, examples and links, and reread.
READING_WORDS_PER_MINUTE = 100
# Declared hours may differ from the estimate by this share before the check warns.
TOLERANCE = 0.30
WORD_RE = re.compile(r"\w+")
FENCE_LINE_RE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class WorkloadEstimate:
    reading_minutes: float
    activity_minutes: float
    quiz_minutes: float

    @property
    def total_minutes(self) -> float:
        return self.reading_minutes + self.activity_minutes + self.quiz_minutes

    @property
    def hours(self) -> float:
        return self.total_minutes / 60

    def differs_from(self, declared_hours: int) -> bool:
        """Declared and estimated hours differ by more than the tolerance of the estimate."""
        if self.total_minutes <= 0:
            return False
        return abs(declared_hours - self.hours) > TOLERANCE * self.hours


def count_words(markdown: str) -> int:
    """Words a learner reads: the Markdown without link targets and fenced code markers."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    lines = [line for line in text.splitlines() if not FENCE_LINE_RE.match(line)]
    return len(WORD_RE.findall("\n".join(lines)))


def quiz_minutes(course: CourseSource, language: str) -> float:
    quiz = course.quiz.get(language)
    if quiz is None:
        return 0.0
    if quiz.settings.time_limit_minutes:
        return float(quiz.settings.time_limit_minutes)
    grouped = {index for group in quiz.groups for index in group.question_indexes}
    asked = [index for index in range(len(quiz.questions)) if index not in grouped]
    for group in quiz.groups:
        asked.extend(group.question_indexes[: group.pick])
    # Each question type says how long answering one takes (QuestionType.answer_minutes).
    return sum(QUESTION_TYPES[quiz.questions[index].type].answer_minutes for index in asked)


def estimate(course: CourseSource) -> WorkloadEstimate:
    """The estimate in the course's first (source) language.

    Reading: the lessons and the case studies at READING_WORDS_PER_MINUTE. Activities: each
    lesson's `activity_minutes`. Quiz: its time limit, or the minutes per question asked.
    """
    language = course.languages[0] if course.languages else "sl"
    words = 0
    activities = 0
    for lesson in course.lessons:
        lesson_file = lesson.files.get(language)
        if lesson_file is None:
            continue
        words += count_words(lesson_file.body)
        activities += lesson_file.activity_minutes
    for page in course.materials.pages:
        if page.kind == "case-study" and language in page.files:
            words += count_words(page.files[language].body)
    return WorkloadEstimate(
        reading_minutes=words / READING_WORDS_PER_MINUTE,
        activity_minutes=float(activities),
        quiz_minutes=quiz_minutes(course, language),
    )


def suggested_hours(work: WorkloadEstimate) -> int:
    """The whole number of hours to declare: the estimate rounded, at least one."""
    return max(1, math.floor(work.hours + 0.5))


def workload_message(declared: int, work: WorkloadEstimate) -> str:
    return (
        f"workload_hours is {declared} but the content takes about {work.hours:.1f} h "
        f"(reading {work.reading_minutes:.0f} min at {READING_WORDS_PER_MINUTE} words/min, "
        f"activities {work.activity_minutes:.0f} min, quiz {work.quiz_minutes:.0f} min): "
        f"declare {suggested_hours(work)}, or add activity_minutes to the lessons"
    )
