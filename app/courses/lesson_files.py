"""Reading a course's lesson files: front matter, outcomes, translations kept up to date."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

from app.core.sources import (
    Digest,
    Problem,
    SourceError,
    key_line,
    relative_path,
    split_front_matter,
)
from app.core.validate import Checker
from app.courses.outcomes import parse_outcomes
from app.courses.sources import (
    LESSON_NAME_RE,
    QUIZ_NAME_RE,
    VERSION_LENGTH,
    VERSION_RE,
    CourseSource,
    LessonFile,
    LessonSource,
)


def _lesson_name(
    name: str, course: CourseSource, positions: dict[int, str], by_slug: dict[str, LessonSource]
) -> re.Match[str] | str:
    """The parts of a lesson file's name, or what is wrong with it in its course."""
    match = LESSON_NAME_RE.match(name)
    if not match:
        return "a lesson file is named like 01-lesson-slug.sl.md"
    language, slug, position = match["language"], match["slug"], int(match["number"])
    if language not in course.languages:
        return f"language '{language}' is not in the course's languages"
    if positions.setdefault(position, slug) != slug:
        return f"lesson number {position:02d} is used by '{positions[position]}' too"
    known = by_slug.get(slug)
    if known is not None and known.position != position:
        return f"lesson '{slug}' has number {known.position:02d} in another language"
    return match


def _check_complete(check: Checker, lessons: list[LessonSource], languages: list[str]) -> None:
    """Every lesson in every language of the course."""
    for lesson in lessons:
        for language in languages:
            if language not in lesson.files and lesson.files:
                any_file = next(iter(lesson.files.values()))
                expected = f"{lesson.position:02d}-{lesson.slug}.{language}.md"
                check.problems.append(
                    Problem(
                        any_file.path,
                        1,
                        f"lesson '{lesson.slug}' is missing in '{language}' (expected {expected})",
                    )
                )


def read_lessons(
    check: Checker, folder: Path, course: CourseSource, digest: Digest
) -> list[LessonSource]:
    by_slug: dict[str, LessonSource] = {}
    positions: dict[int, str] = {}
    claims = {claim.code: claim.level for claim in course.competences}
    for path in sorted(folder.glob("*.md")):
        if QUIZ_NAME_RE.match(path.name):
            continue
        shown = relative_path(path)
        match = _lesson_name(path.name, course, positions, by_slug)
        if isinstance(match, str):
            check.problems.append(Problem(shown, 1, match))
            continue
        slug = match["slug"]
        lesson = by_slug.setdefault(slug, LessonSource(slug, int(match["number"])))
        raw = path.read_bytes()
        digest.update(path.name.encode())
        digest.update(raw)
        lesson_file = _lesson_file(check, shown, raw, match["language"], claims)
        if lesson_file is not None:
            lesson.files[match["language"]] = lesson_file
    lessons = sorted(by_slug.values(), key=lambda lesson: lesson.position)
    _check_complete(check, lessons, course.languages)
    if not lessons:
        check.error(1, "the course has no lessons")
    _check_translations(check, lessons, course.languages)
    _check_lesson_outcomes(check, lessons, course.languages)
    return lessons


def _check_lesson_outcomes(
    check: Checker, lessons: list[LessonSource], languages: list[str]
) -> None:
    """Translations state the same outcomes (competence and level, in order) as the source."""
    if not languages:
        return
    for lesson in lessons:
        source = lesson.files.get(languages[0])
        if source is None:
            continue
        expected = [(outcome.competence, outcome.level) for outcome in source.outcomes]
        for language, lesson_file in lesson.files.items():
            found = [(outcome.competence, outcome.level) for outcome in lesson_file.outcomes]
            if language != languages[0] and found != expected:
                check.problems.append(
                    Problem(
                        lesson_file.path,
                        2,
                        f"the outcomes (competence and level) differ from "
                        f"{PurePosixPath(source.path).name}",
                    )
                )


def _check_translations(check: Checker, lessons: list[LessonSource], languages: list[str]) -> None:
    """A translation made from an older version of the source file is reported, not refused."""
    if not languages:
        return
    source_language = languages[0]
    for lesson in lessons:
        source = lesson.files.get(source_language)
        for language, lesson_file in lesson.files.items():
            if lesson_file.translated_from is None:
                continue
            if language == source_language:
                check.problems.append(
                    Problem(
                        lesson_file.path,
                        lesson_file.translated_from_line,
                        f"translated_from belongs in translations, not in the "
                        f"{source_language} source",
                    )
                )
            elif source is not None and lesson_file.translated_from != source.version:
                check.problems.append(
                    Problem(
                        lesson_file.path,
                        lesson_file.translated_from_line,
                        f"translated from an older version of {PurePosixPath(source.path).name}:"
                        " the translation needs an update",
                        is_warning=True,
                    )
                )


def _lesson_file(
    check: Checker, shown: str, raw: bytes, language: str, claims: dict[str, int]
) -> LessonFile | None:
    try:
        parsed = split_front_matter(raw.decode("utf-8"), shown)
    except SourceError as error:
        check.problems.append(error.problem)
        return None
    except UnicodeDecodeError:
        check.problems.append(Problem(shown, 1, "the file is not UTF-8 text"))
        return None
    file_check = Checker(shown)
    meta = file_check.mapping(parsed.meta, 2, "the front matter")
    if meta is None:
        check.problems.extend(file_check.problems)
        return None
    file_check.keys(
        meta,
        {"title"},
        {"summary", "minutes", "translated_from", "outcomes", "activity_minutes"},
        "the front matter",
    )
    translated_from = meta.get("translated_from")
    if translated_from is not None and not VERSION_RE.match(str(translated_from)):
        file_check.error(
            key_line(meta, "translated_from"),
            f"translated_from must be the {VERSION_LENGTH} hex digits the editor writes",
        )
        translated_from = None
    title = meta.get("title")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        file_check.error(key_line(meta, "title"), "the title is empty")
        title = None
    summary = meta.get("summary") or ""
    if not isinstance(summary, str):
        file_check.error(key_line(meta, "summary"), "the summary must be text")
        summary = ""
    minutes = file_check.integer(meta, "minutes", "minutes", 1, 600)
    activity_minutes = file_check.integer(meta, "activity_minutes", "activity_minutes", 0, 600)
    outcomes = parse_outcomes(
        file_check, meta.get("outcomes"), key_line(meta, "outcomes"), claims, None
    )
    check.problems.extend(file_check.problems)
    if not title:
        return None
    return LessonFile(
        language=language,
        path=shown,
        title=title.strip(),
        summary=summary.strip(),
        minutes=minutes,
        body=parsed.body,
        body_first_line=parsed.body_first_line,
        content_hash=hashlib.sha256(raw).hexdigest(),
        translated_from=str(translated_from) if translated_from is not None else None,
        translated_from_line=key_line(meta, "translated_from") if translated_from else 1,
        outcomes=outcomes,
        activity_minutes=activity_minutes or 0,
    )
