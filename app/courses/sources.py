"""A course folder as plain data: its file names, limits and what the loader reads from them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.core.sources import (
    Problem,
)
from app.courses.materials import CourseMaterials
from app.courses.outcomes import Outcome
from app.framework.loader import Framework
from app.questions.markdown_format import QuizSource

COURSE_FILE = "course.yml"


LESSON_NAME_RE = re.compile(
    r"^(?P<number>\d{1,3})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r"\.(?P<language>[a-z]{2})\.md$"
)


QUIZ_NAME_RE = re.compile(r"^quiz\.(?P<language>[a-z]{2})\.md$")


ASSET_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf"}


MAX_ASSET_BYTES = 5 * 1024 * 1024


# `translated_from` holds this many hex digits of the source file's SHA-256.
VERSION_LENGTH = 12


VERSION_RE = re.compile(r"^[0-9a-f]{12}$")


@dataclass
class LessonFile:
    language: str
    path: str
    title: str
    summary: str
    minutes: int | None
    body: str
    body_first_line: int
    content_hash: str
    # A translation names the version of the source-language file it was made from.
    translated_from: str | None = None
    translated_from_line: int = 1
    # What the learner can do after the lesson (one text each, in this file's language).
    outcomes: list[Outcome] = field(default_factory=list)
    # Minutes the lesson's exercises take, beyond reading it (see app/courses/workload.py).
    activity_minutes: int = 0

    @property
    def version(self) -> str:
        """What a translation of this file records in `translated_from`."""
        return self.content_hash[:VERSION_LENGTH]


def file_version(raw: bytes) -> str:
    """A source file's version: the first hex digits of its SHA-256, as `content_hash` starts."""
    return hashlib.sha256(raw).hexdigest()[:VERSION_LENGTH]


@dataclass
class LessonSource:
    slug: str
    position: int
    files: dict[str, LessonFile] = field(default_factory=dict)


@dataclass
class CompetenceClaim:
    code: str
    level: int


@dataclass
class CourseSource:
    slug: str
    folder: Path
    path: str
    titles: dict[str, str]
    summaries: dict[str, str]
    languages: list[str]
    workload_hours: int
    institution: str
    # Certificates of the course expire this many months after issue; None: they do not expire.
    certificate_validity_months: int | None
    competences: list[CompetenceClaim]
    lessons: list[LessonSource]
    assets: list[str]
    content_hash: str = ""
    # One parsed quiz file per language; empty when the course has no quiz.
    quiz: dict[str, QuizSource] = field(default_factory=dict)
    quiz_hash: str = ""
    # Course learning outcomes (course.yml) and the materials/ folder.
    outcomes: list[Outcome] = field(default_factory=list)
    materials: CourseMaterials = field(default_factory=CourseMaterials)
    # The framework the course was checked against: its words name the outcomes' competences.
    framework: Framework | None = None


@dataclass
class Catalogue:
    """Everything read from one courses/ folder."""

    root: Path
    framework: Framework | None
    courses: list[CourseSource]
    problems: list[Problem]
    is_single_course: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_warning]
