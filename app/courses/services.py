"""Reading courses for learners: the catalogue, course outlines, lessons and my learning."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core.i18n import pick_language
from app.courses.models import (
    Course,
    CourseCompetence,
    Enrolment,
    Lesson,
    LessonProgress,
    LessonText,
)
from app.extensions import db

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
    """An active course's title and lessons in one reader language, with the bodies shown.

    Plain values, no ORM objects: the lesson page keeps it until the content version changes
    (80 KB for 8 lessons of 10 KB), so a reader's request reads only their progress.
    """

    course_id: int
    slug: str
    language: str
    title: str
    lessons: tuple[OutlineLesson, ...]
    # text id -> the rendered, sanitised HTML of the text shown (left out of equality: large)
    bodies: Mapping[int, str] = field(compare=False)

    def index(self, lesson_slug: str) -> int | None:
        return next(
            (i for i, lesson in enumerate(self.lessons) if lesson.slug == lesson_slug), None
        )


def course_outline(slug: str, language: str) -> CourseOutline | None:
    """The outline of the active course `slug` for a reader of `language`, in five queries."""
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
    bodies = db.session.execute(
        select(LessonText.id, LessonText.body_html).where(
            LessonText.id.in_([entry.text_id for entry in entries])
        )
    )
    return CourseOutline(
        course.id,
        course.slug,
        card.language,
        card.title,
        tuple(entries),
        {text_id: body or "" for text_id, body in bodies},
    )


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
