"""Course logic: loading the folder into the database, the catalogue, progress and completion."""

from __future__ import annotations

import logging
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import selectinload

from app.auth.models import Institution
from app.auth.partners import PARTNERS
from app.competences.models import Competence
from app.competences.services import evidence_from_course, sync_framework
from app.core.database import utcnow
from app.core.errors import DomainError
from app.core.files import STAGING, move_on_commit
from app.core.i18n import pick_language
from app.core.markdown import render_markdown
from app.core.sources import Problem
from app.courses.loader import (
    Catalogue,
    CourseSource,
    LessonFile,
    lesson_link_target,
    load_catalogue,
)
from app.courses.material_services import lesson_outcomes_markdown, sync_pages
from app.courses.materials import page_link_target
from app.courses.models import (
    Course,
    CourseCompetence,
    CourseText,
    Enrolment,
    Lesson,
    LessonProgress,
    LessonText,
)
from app.extensions import db
from app.quizzes.models import Quiz, QuizAttempt
from app.quizzes.sync import sync_quiz

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
    from app.courses.packages import record_revision

    source_name = revision_source or origin
    catalogue = check_folder(root)
    if catalogue.errors:
        raise ContentError(catalogue.errors)
    report = SyncReport()
    if catalogue.framework is not None:
        report.changes.extend(sync_framework(catalogue.framework))
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
            if course.is_retired:
                course.is_retired = False
                report.changes.append(f"restored course {source.slug}")
            report.courses.append(course)
            if record_revision(course, source.folder, source_name, author_id):
                report.changes.append(f"kept the files of {source.slug} as a revision")
            continue
        course, changes = _sync_course(course, source, institutions, competences)
        course.origin = origin
        report.courses.append(course)
        report.changes.extend(changes)
        _copy_assets(source)
        db.session.flush()
        sync_pages(
            course.id,
            source,
            source.framework,
            lambda markdown, slug=source.slug: render_lesson_html(slug, markdown),
        )
        primary = source.languages[0] if source.languages else "sl"
        report.changes.extend(
            f"{change} {source.slug}"
            for change in sync_quiz(course.id, source.quiz, primary, competences, source.quiz_hash)
        )
        record_revision(course, source.folder, source_name, author_id)
    loaded = {source.slug for source in catalogue.courses}
    for slug, course in existing.items():
        # One course folder says nothing about the others: only a whole folder retires.
        if (
            not catalogue.is_single_course
            and course.origin == "folder"
            and slug not in loaded
            and not course.is_retired
        ):
            course.is_retired = True
            report.changes.append(f"retired course {slug}")
    db.session.flush()
    return report


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

    claims = {competences[claim.code]: claim.level for claim in source.competences}
    for row in list(course.competences):
        if row.competence_id in claims:
            row.level = claims.pop(row.competence_id)
        else:
            course.competences.remove(row)
    for competence_id, level in claims.items():
        course.competences.append(CourseCompetence(competence_id=competence_id, level=level))

    lessons = {lesson.slug: lesson for lesson in course.lessons}
    # Positions are unique only among the lessons a course shows, so park old ones first.
    for index, lesson in enumerate(course.lessons):
        lesson.position = 10_000 + index
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
    return course, changes


def _sync_lesson_texts(lesson: Lesson, files: dict[str, LessonFile], source: CourseSource):
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


def course_url(course_slug: str) -> str:
    root = current_app.config.get("APPLICATION_ROOT", "/").rstrip("/")
    return f"{root}/courses/{course_slug}"


def render_lesson_html(course_slug: str, body: str, files_url: str | None = None) -> str:
    """The learner's HTML for a lesson body: links to lessons and files point at their URLs.

    The editor's preview passes `files_url` so that images come from the unpublished draft.
    """
    base = course_url(course_slug)
    files_base = files_url or f"{base}/files"

    def resolve(tag: str, url: str) -> str | None:
        if url.startswith("#") or ":" in url.split("/")[0]:
            return None
        if tag == "a":
            target = lesson_link_target(url)
            if target:
                return f"{base}/lessons/{target[0]}{target[1]}"
            page = page_link_target(url)
            if page:
                return f"{base}/pages/{page}"
        return f"{files_base}/{url}"

    return render_markdown(body, resolve)


def storage_path(*parts: str) -> Path:
    return Path(current_app.config["STORAGE_DIR"]).joinpath(*parts)


def _copy_assets(source: CourseSource) -> None:
    """Stage the course's files beside the live ones; they replace them when the load commits."""
    target = storage_path("courses", source.slug)
    staging = storage_path(STAGING, uuid.uuid4().hex)
    for name in source.assets:
        staged = staging / name
        staged.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.folder / name, staged)
        move_on_commit(db.session(), staged, target / name)


# --- Reading courses for learners -------------------------------------------------------


@dataclass
class CourseCard:
    """A course as the catalogue shows it, in the best language for the reader."""

    course: Course
    language: str
    title: str
    summary: str
    is_fallback: bool
    lessons_total: int = 0
    lessons_done: int = 0
    enrolment: Enrolment | None = None

    @property
    def percent(self) -> int:
        if not self.lessons_total:
            return 0
        return round(100 * self.lessons_done / self.lessons_total)


def course_card(course: Course, language: str) -> CourseCard:
    texts = {text.language: text for text in course.texts}
    chosen = pick_language(set(texts), language) or language
    text = texts.get(chosen)
    return CourseCard(
        course=course,
        language=chosen,
        title=text.title if text else course.slug,
        summary=text.summary if text else "",
        is_fallback=chosen != language,
    )


def course_options(language: str) -> list[tuple[int, str]]:
    """(id, title) of the active courses, by title, for choice lists: titles only, in two
    queries, where the catalogue would also load competences, institutions and lessons."""
    courses = db.session.scalars(
        select(Course).where(Course.is_retired.is_(False)).options(selectinload(Course.texts))
    )
    options = [(course.id, course_title(course, language)) for course in courses]
    return sorted(options, key=lambda option: option[1].casefold())


def course_title(course: Course, language: str) -> str:
    """A course's title in the reader's language, or the best fallback."""
    return course_card(course, language).title


@dataclass(frozen=True)
class CatalogueEntry:
    """A course card of the catalogue: the same for every reader of one language.

    Plain values, no ORM objects: the catalogue page keeps these (rendered) until the
    content version changes.
    """

    course_id: int
    slug: str
    language: str
    title: str
    summary: str
    is_fallback: bool
    institution: str
    workload_hours: int
    lessons_total: int
    # Names in the reader's language, in the course's order.
    competences: tuple[str, ...]
    content_languages: frozenset[str]
    competence_codes: frozenset[str]


def catalogue_entries(language: str) -> list[CatalogueEntry]:
    """Every active course as the catalogue shows it in `language`, by title.

    Four queries whatever the number of courses.
    """
    courses = db.session.scalars(
        select(Course)
        .where(Course.is_retired.is_(False))
        .options(
            selectinload(Course.texts),
            selectinload(Course.competences).selectinload(CourseCompetence.competence),
            selectinload(Course.institution),
        )
        .order_by(Course.id)
    ).all()
    totals = _lesson_totals([course.id for course in courses])
    entries = []
    for course in courses:
        card = course_card(course, language)
        entries.append(
            CatalogueEntry(
                course_id=course.id,
                slug=course.slug,
                language=card.language,
                title=card.title,
                summary=card.summary,
                is_fallback=card.is_fallback,
                institution=course.institution.short_name,
                workload_hours=course.workload_hours,
                lessons_total=totals.get(course.id, 0),
                competences=tuple(row.competence.name(language) for row in course.competences),
                content_languages=frozenset(text.language for text in course.texts),
                competence_codes=frozenset(row.competence.code for row in course.competences),
            )
        )
    return sorted(entries, key=lambda entry: entry.title.casefold())


def filter_catalogue(
    entries: list[CatalogueEntry],
    content_language: str | None = None,
    competence_code: str | None = None,
) -> list[CatalogueEntry]:
    """The courses with text in `content_language` and developing `competence_code`."""
    return [
        entry
        for entry in entries
        if (not content_language or content_language in entry.content_languages)
        and (not competence_code or competence_code in entry.competence_codes)
    ]


@dataclass(frozen=True)
class CourseProgress:
    lessons_done: int
    enrolment: Enrolment


def catalogue_progress(user_id: int, course_ids: list[int]) -> dict[int, CourseProgress]:
    """The learner's enrolments among these courses and the lessons done in each.

    One query, two when the learner is enrolled in any of them.
    """
    enrolments = {
        row.course_id: row
        for row in db.session.scalars(
            select(Enrolment).where(
                Enrolment.user_id == user_id, Enrolment.course_id.in_(course_ids)
            )
        )
    }
    if not enrolments:
        return {}
    done = _lessons_done(user_id, list(enrolments))
    return {
        course_id: CourseProgress(done.get(course_id, 0), enrolment)
        for course_id, enrolment in enrolments.items()
    }


def _lesson_totals(course_ids: list[int]) -> dict[int, int]:
    if not course_ids:
        return {}
    return dict(
        db.session.execute(
            select(Lesson.course_id, func.count(Lesson.id))
            .where(Lesson.course_id.in_(course_ids), Lesson.is_retired.is_(False))
            .group_by(Lesson.course_id)
        ).all()
    )


def _lessons_done(user_id: int, course_ids: list[int]) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Lesson.course_id, func.count(LessonProgress.id))
            .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
            .where(
                LessonProgress.user_id == user_id,
                Lesson.course_id.in_(course_ids),
                Lesson.is_retired.is_(False),
            )
            .group_by(Lesson.course_id)
        ).all()
    )


def _add_progress(cards: list[CourseCard], user_id: int) -> None:
    ids = [card.course.id for card in cards]
    if not ids:
        return
    totals = _lesson_totals(ids)
    progress = catalogue_progress(user_id, ids)
    for card in cards:
        card.lessons_total = totals.get(card.course.id, 0)
        if card.course.id in progress:
            card.lessons_done = progress[card.course.id].lessons_done
            card.enrolment = progress[card.course.id].enrolment


def get_course(slug: str, with_content: bool = True) -> Course | None:
    """An active course with its titles; `with_content` also loads lessons and competences.

    Pages about the course rather than its content (the quiz pages) skip them: the lesson
    texts are the largest rows there are.
    """
    options = [selectinload(Course.texts), selectinload(Course.institution)]
    if with_content:
        options += [
            selectinload(Course.lessons).selectinload(Lesson.texts),
            selectinload(Course.competences).selectinload(CourseCompetence.competence),
        ]
    return db.session.scalar(
        select(Course).where(Course.slug == slug, Course.is_retired.is_(False)).options(*options)
    )


@dataclass(frozen=True)
class OutlineLesson:
    lesson_id: int
    slug: str
    # The text shown to a reader of the outline's language, and its language.
    text_id: int
    language: str
    title: str
    is_fallback: bool


@dataclass(frozen=True)
class CourseOutline:
    """An active course's title and lessons, in one reader language, without lesson bodies.

    Plain values, no ORM objects: the lesson page keeps it until the content version changes
    and reads only the one body it shows.
    """

    course_id: int
    slug: str
    language: str
    title: str
    lessons: tuple[OutlineLesson, ...]

    def index(self, lesson_slug: str) -> int | None:
        return next(
            (i for i, lesson in enumerate(self.lessons) if lesson.slug == lesson_slug), None
        )


def course_outline(slug: str, language: str) -> CourseOutline | None:
    """The outline of the active course `slug` for a reader of `language`, in four queries."""
    course = db.session.scalar(
        select(Course)
        .where(Course.slug == slug, Course.is_retired.is_(False))
        .options(selectinload(Course.texts))
    )
    if course is None:
        return None
    card = course_card(course, language)
    lessons = db.session.scalars(
        select(Lesson)
        .where(Lesson.course_id == course.id, Lesson.is_retired.is_(False))
        .options(
            selectinload(Lesson.texts).load_only(
                LessonText.id, LessonText.lesson_id, LessonText.language, LessonText.title
            )
        )
        .order_by(Lesson.position)
    )
    entries = []
    for lesson in lessons:
        text = lesson_text(lesson, language)
        entries.append(
            OutlineLesson(
                lesson.id,
                lesson.slug,
                text.id,
                text.language,
                text.title,
                text.language != language,
            )
        )
    return CourseOutline(course.id, course.slug, card.language, card.title, tuple(entries))


def lesson_body(text_id: int) -> str:
    """The rendered, sanitised HTML of one lesson text."""
    return db.session.scalar(select(LessonText.body_html).where(LessonText.id == text_id)) or ""


@dataclass
class LessonView:
    lesson: Lesson
    language: str
    text: LessonText
    is_fallback: bool
    is_done: bool


def active_lessons(course: Course) -> list[Lesson]:
    return [lesson for lesson in course.lessons if not lesson.is_retired]


def lesson_text(lesson: Lesson, language: str) -> LessonText:
    """The lesson's text for a reader of `language`: theirs, or the best fallback."""
    texts = {text.language: text for text in lesson.texts}
    return texts[pick_language(set(texts), language) or next(iter(texts))]


def lesson_view(lesson: Lesson, language: str, done: set[int]) -> LessonView:
    text = lesson_text(lesson, language)
    return LessonView(lesson, text.language, text, text.language != language, lesson.id in done)


def completed_lesson_ids(user_id: int | None, course_id: int) -> set[int]:
    """The ids of the course's lessons the learner has done."""
    if user_id is None:
        return set()
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_id)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id == user_id, Lesson.course_id == course_id)
        )
    )


def get_enrolment(user_id: int, course_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
    )


def enrol(user_id: int, course: Course) -> Enrolment:
    """Enrol the learner once; a second call returns the same enrolment."""
    enrolment = get_enrolment(user_id, course.id)
    if enrolment is None:
        enrolment = Enrolment(user_id=user_id, course_id=course.id)
        try:
            with db.session.begin_nested():
                db.session.add(enrolment)
        except IntegrityError:
            # Two tabs enrolled at once: the other one won, use its row.
            enrolment = get_enrolment(user_id, course.id)
    return enrolment  # type: ignore[return-value]


def complete_lesson(user_id: int, course: Course, lesson: Lesson) -> Enrolment:
    """Mark a lesson done (idempotent); the course completes when its rule is met."""
    if lesson.course_id != course.id or lesson.is_retired:
        raise DomainError("lesson is not part of this course")
    if lesson.id not in completed_lesson_ids(user_id, course.id):
        try:
            with db.session.begin_nested():
                db.session.add(LessonProgress(user_id=user_id, lesson_id=lesson.id))
        except IntegrityError:
            pass  # already recorded by a concurrent request
    db.session.flush()
    return update_completion(user_id, course)


def quiz_requirement_met(user_id: int, course_id: int) -> bool:
    """A course with a quiz is complete only once the learner has passed it."""
    quiz_id = db.session.scalar(
        select(Quiz.id).where(Quiz.course_id == course_id, Quiz.is_retired.is_(False))
    )
    if quiz_id is None:
        return True
    passed = db.session.scalar(
        select(func.count(QuizAttempt.id)).where(
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.user_id == user_id,
            QuizAttempt.is_passed.is_(True),
        )
    )
    return bool(passed)


def update_completion(user_id: int, course: Course) -> Enrolment:
    """Complete the course once every lesson is done and its quiz, if any, is passed."""
    enrolment = enrol(user_id, course)
    if enrolment.completed_at is None:
        done = completed_lesson_ids(user_id, course.id)
        if all(item.id in done for item in active_lessons(course)) and quiz_requirement_met(
            user_id, course.id
        ):
            # Claim the completion: of requests completing at the same moment (two tabs, a
            # quiz graded while the last lesson is marked), exactly one goes on.
            claimed = db.session.execute(
                update(Enrolment)
                .where(Enrolment.id == enrolment.id, Enrolment.completed_at.is_(None))
                .values(completed_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            db.session.refresh(enrolment)
            if not claimed:
                return enrolment
            claims = [(row.competence_id, row.level) for row in course.competences]
            evidence_from_course(user_id, course.id, claims)
            # Imported here: certificates build on courses, not the other way round.
            from app.auth.models import User
            from app.certificates.keys import SigningKeyMissing
            from app.certificates.services import issue

            try:
                issue(db.session.get(User, user_id), course)
            except SigningKeyMissing:
                # The learner's completion stands; the certificate is issued when the
                # institution's administrator creates its key (`issue_pending`).
                log.warning("no signing key for %s: certificate waits", course.institution_id)
    return enrolment


def my_learning(user_id: int, language: str) -> dict[str, list[CourseCard]]:
    """The learner's enrolled courses split into not started, in progress and completed."""
    course_ids = select(Enrolment.course_id).where(Enrolment.user_id == user_id)
    courses = list(
        db.session.scalars(
            select(Course)
            .where(Course.id.in_(course_ids))
            .options(selectinload(Course.texts), selectinload(Course.institution))
        )
    )
    cards = [course_card(course, language) for course in courses]
    _add_progress(cards, user_id)
    groups: dict[str, list[CourseCard]] = {"enrolled": [], "in_progress": [], "completed": []}
    for card in sorted(cards, key=lambda card: card.title.casefold()):
        if card.enrolment and card.enrolment.completed_at:
            groups["completed"].append(card)
        elif card.lessons_done:
            groups["in_progress"].append(card)
        else:
            groups["enrolled"].append(card)
    return groups
