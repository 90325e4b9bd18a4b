"""Loading a courses/ folder into the database: idempotent, retiring what is gone."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from app.auth.models import Institution
from app.auth.partners import PARTNERS
from app.core import events
from app.core.database import utcnow
from app.core.errors import DomainError
from app.core.sources import Problem
from app.core.storage import storage
from app.courses.loader import load_catalogue
from app.courses.material_services import lesson_outcomes_markdown, sync_pages
from app.courses.models import (
    Course,
    CourseCompetence,
    CourseRevision,
    CourseText,
    Lesson,
    LessonText,
)
from app.courses.rendering import render_lesson_html
from app.courses.revisions import record_revision
from app.courses.sources import Catalogue, CourseSource, LessonFile
from app.extensions import db
from app.framework.models import Competence
from app.framework.services import sync_framework

log = logging.getLogger(__name__)


class ContentError(DomainError):
    """The content has errors; nothing was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems in the content")
        self.problems = problems


@dataclass
class SyncReport:
    changes: list[str] = field(default_factory=list)
    # Every course of the folder, changed or not, in folder order.
    courses: list[Course] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def known_institution_slugs() -> set[str]:
    """The institutions a course may name: the project's partners and any added since.

    `flask courses check` must work on a fresh clone too, before any database exists.
    """
    partners = {slug for slug, *_ in PARTNERS}
    try:
        with db.session.begin_nested():
            return partners | set(db.session.scalars(select(Institution.slug)))
    except SQLAlchemyError:
        return partners


def check_folder(root: Path) -> Catalogue:
    """Validate a courses/ folder (or one course folder) without changing anything."""
    return load_catalogue(root, known_institution_slugs())


def sync_folder(
    root: Path,
    origin: str = "folder",
    author_id: int | None = None,
    revision_source: str | None = None,
) -> SyncReport:
    """Load the folder into the database. Idempotent; retires what is gone, never deletes it.

    Each course's files are kept as a revision whenever their content changes, so the course
    can be exported again exactly as it was loaded. `revision_source` names where the revision
    came from (the folder, a zip, the editor); by default the origin.
    """
    source_name = revision_source or origin
    catalogue = check_folder(root)
    if catalogue.errors:
        raise ContentError(catalogue.errors)
    report = SyncReport()
    if catalogue.framework is not None:
        report.changes.extend(sync_framework(catalogue.framework))
    institutions = _institutions_of(catalogue)
    competences = {row.code: row.id for row in db.session.scalars(select(Competence))}
    existing = {
        course.slug: course
        for course in db.session.scalars(
            select(Course).options(
                selectinload(Course.texts),
                selectinload(Course.competences),
                selectinload(Course.lessons).selectinload(Lesson.texts),
            )
        )
    }
    for source in catalogue.courses:
        course = existing.get(source.slug)
        if course is not None and course.content_hash == source.content_hash:
            _keep(course, source, report, source_name, author_id)
            continue
        course = _load(course, source, report, institutions, competences)
        course.origin = origin
        _published(course, record_revision(course, source.folder, source_name, author_id))
    if not catalogue.is_single_course:
        # One course folder says nothing about the others: only a whole folder retires.
        loaded = {source.slug for source in catalogue.courses}
        _retire([course for slug, course in existing.items() if slug not in loaded], report)
    db.session.flush()
    return report


def _institutions_of(catalogue: Catalogue) -> dict[str, int]:
    """{slug: id} of the institutions; refused if a course names one that is not there."""
    institutions = {row.slug: row.id for row in db.session.scalars(select(Institution))}
    missing = [
        Problem(
            source.path,
            1,
            f"institution '{source.institution}' is not in the database: "
            "run `flask institutions seed` first",
        )
        for source in catalogue.courses
        if source.institution not in institutions
    ]
    if missing:
        raise ContentError(missing)
    return institutions


def _keep(
    course: Course,
    source: CourseSource,
    report: SyncReport,
    source_name: str,
    author_id: int | None,
) -> None:
    """A course whose content is unchanged: restored if it was retired, its files kept."""
    if course.is_retired:
        course.is_retired = False
        report.changes.append(f"restored course {source.slug}")
    report.courses.append(course)
    revision = record_revision(course, source.folder, source_name, author_id)
    if revision is not None:
        report.changes.append(f"kept the files of {source.slug} as a revision")
        _published(course, revision)


def _published(course: Course, revision: CourseRevision | None) -> None:
    """A new revision is a publication: the packages above (the audit trail) hear of it."""
    if revision is None:
        return
    events.course_published.send(
        None,
        course_id=course.id,
        revision=revision.number,
        author_id=revision.author_id,
        source=revision.source,
    )


def _load(
    course: Course | None,
    source: CourseSource,
    report: SyncReport,
    institutions: dict[str, int],
    competences: dict[str, int],
) -> Course:
    """A new or changed course into its rows, files and pages, and what hangs off it."""
    course, changes = _sync_course(course, source, institutions, competences)
    report.courses.append(course)
    report.changes.extend(changes)
    _copy_assets(source)
    db.session.flush()
    slug = source.slug

    def render(markdown: str) -> str:
        return render_lesson_html(slug, markdown)

    sync_pages(course.id, source, source.framework, render)
    # What other packages keep of the course (its quiz) follows in the same transaction.
    for _receiver, changes in events.course_loaded.send(
        None, course_id=course.id, source=source, competences=competences
    ):
        report.changes.extend(f"{change} {source.slug}" for change in changes or [])
    return course


def _retire(courses: list[Course], report: SyncReport) -> None:
    """Courses no longer in the folder are retired (never deleted): their records stay."""
    for course in courses:
        if course.origin == "folder" and not course.is_retired:
            course.is_retired = True
            report.changes.append(f"retired course {course.slug}")


def _sync_course(
    course: Course | None,
    source: CourseSource,
    institutions: dict[str, int],
    competences: dict[str, int],
) -> tuple[Course, list[str]]:
    changes = []
    if course is None:
        course = Course(slug=source.slug, workload_hours=0, content_hash="")
        db.session.add(course)
        changes.append(f"created course {source.slug}")
    else:
        changes.append(f"updated course {source.slug}")
    course.institution_id = institutions[source.institution]
    course.workload_hours = source.workload_hours
    course.certificate_validity_months = source.certificate_validity_months
    course.content_hash = source.content_hash
    course.is_retired = False
    course.updated_at = utcnow()

    _sync_course_texts(course, source)
    _sync_claims(course, {competences[c.code]: c.level for c in source.competences})
    changes.extend(_sync_lessons(course, source))
    return course, changes


def _sync_course_texts(course: Course, source: CourseSource) -> None:
    texts = {text.language: text for text in course.texts}
    for language in source.languages:
        text = texts.pop(language, None)
        if text is None:
            text = CourseText(language=language)
            course.texts.append(text)
        text.title = source.titles[language]
        text.summary = source.summaries.get(language, "")
    for text in texts.values():
        course.texts.remove(text)


def _sync_claims(course: Course, claims: dict[int, int]) -> None:
    """The competences the course develops, {competence id: level}."""
    for row in list(course.competences):
        if row.competence_id in claims:
            row.level = claims.pop(row.competence_id)
        else:
            course.competences.remove(row)
    for competence_id, level in claims.items():
        course.competences.append(CourseCompetence(competence_id=competence_id, level=level))


def _sync_lessons(course: Course, source: CourseSource) -> list[str]:
    changes = []
    lessons = {lesson.slug: lesson for lesson in course.lessons}
    # Positions are unique only among the lessons a course shows, so park old ones first.
    for index, parked in enumerate(course.lessons):
        parked.position = 10_000 + index
    for lesson_source in source.lessons:
        lesson = lessons.pop(lesson_source.slug, None)
        if lesson is None:
            lesson = Lesson(slug=lesson_source.slug, position=lesson_source.position)
            course.lessons.append(lesson)
            changes.append(f"created lesson {source.slug}/{lesson_source.slug}")
        lesson.position = lesson_source.position
        if lesson.is_retired:
            lesson.is_retired = False
            changes.append(f"restored lesson {source.slug}/{lesson_source.slug}")
        changes.extend(_sync_lesson_texts(lesson, lesson_source.files, source))
    for lesson in lessons.values():
        if not lesson.is_retired:
            lesson.is_retired = True
            changes.append(f"retired lesson {source.slug}/{lesson.slug}")
    return changes


def _sync_lesson_texts(
    lesson: Lesson, files: dict[str, LessonFile], source: CourseSource
) -> Iterator[str]:
    texts = {text.language: text for text in lesson.texts}
    for language, lesson_file in files.items():
        text = texts.pop(language, None)
        if text is not None and text.content_hash == lesson_file.content_hash:
            continue
        if text is None:
            text = LessonText(language=language)
            lesson.texts.append(text)
        text.title = lesson_file.title
        text.summary = lesson_file.summary
        text.minutes = lesson_file.minutes
        text.body_markdown = lesson_file.body
        outcomes = lesson_outcomes_markdown(lesson_file.outcomes, language, source.framework)
        text.body_html = render_lesson_html(source.slug, outcomes + lesson_file.body)
        text.content_hash = lesson_file.content_hash
        text.source_path = lesson_file.path
        yield f"updated lesson text {source.slug}/{lesson.slug} [{language}]"
    for text in texts.values():
        lesson.texts.remove(text)
        yield f"removed lesson text {source.slug}/{lesson.slug} [{text.language}]"


def _copy_assets(source: CourseSource) -> None:
    """The course's files, written when the load commits (a failed load leaves the live ones)."""
    files = storage()
    for name in source.assets:
        files.write_on_commit(f"courses/{source.slug}/{name}", (source.folder / name).read_bytes())
