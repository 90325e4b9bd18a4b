"""Parse and validate the courses/ folder into plain data, without touching the database."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from app.competences.loader import FRAMEWORK_FILE, Framework, load_framework
from app.core.sources import (
    LineDict,
    Problem,
    SourceError,
    item_line,
    key_line,
    parse_yaml,
    relative_path,
    split_front_matter,
)
from app.core.validate import LANGUAGES, Checker
from app.courses.materials import (
    CourseMaterials,
    Outcome,
    PageFile,
    check_outcomes_cover_claims,
    load_materials,
    page_link_target,
    parse_outcomes,
)
from app.courses.workload import estimate, workload_message
from app.questions.markdown_format import QuizSource, parse_quiz

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
LINK_RE = re.compile(
    r"(?P<image>!?)\[(?P<text>[^\]]*)\]\(\s*<?(?P<target>[^)\s>]*)>?"
    r"(?:\s+[\"'][^\"']*[\"'])?\s*\)"
)
HEADING_RE = re.compile(r"^(#{1,6})\s+\S")
FENCE_RE = re.compile(r"^\s*(```|~~~)")
SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


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


def load_catalogue(root: Path, known_institutions: set[str]) -> Catalogue:
    """Read the framework and every course folder under `root`, collecting every problem.

    `root` may also be one course folder, read with the framework of the folder above it.
    """
    problems: list[Problem] = []
    framework = None
    is_single_course = (root / COURSE_FILE).exists()
    if not root.is_dir():
        return Catalogue(root, None, [], [Problem(str(root), 1, "no such folder")])
    framework_path = (root.parent if is_single_course else root) / FRAMEWORK_FILE
    if framework_path.exists():
        framework, framework_problems = load_framework(
            framework_path, relative_path(framework_path)
        )
        problems.extend(framework_problems)
    courses: list[CourseSource] = []
    seen: dict[str, str] = {}
    folders = [root] if is_single_course else sorted(p for p in root.iterdir() if p.is_dir())
    for folder in folders:
        if not (folder / COURSE_FILE).exists():
            continue
        course, course_problems = load_course(folder, known_institutions, framework)
        problems.extend(course_problems)
        if course is None:
            continue
        if course.slug in seen:
            problems.append(
                Problem(
                    course.path,
                    1,
                    f"duplicate course slug '{course.slug}' (also in {seen[course.slug]})",
                )
            )
            continue
        seen[course.slug] = course.path
        courses.append(course)
    return Catalogue(root, framework, courses, problems, is_single_course)


def load_course(
    folder: Path, known_institutions: set[str], framework: Framework | None
) -> tuple[CourseSource | None, list[Problem]]:
    """Read one course folder: course.yml, lesson files in each language and assets."""
    meta_path = folder / COURSE_FILE
    shown = relative_path(meta_path)
    check = Checker(shown)
    try:
        raw = meta_path.read_bytes()
        data = parse_yaml(raw.decode("utf-8"), shown)
    except SourceError as error:
        return None, [error.problem]
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(shown, 1, f"cannot read the file: {error}")]
    meta = check.mapping(data, 1, "the course metadata")
    if meta is None:
        return None, check.problems
    check.keys(
        meta,
        {"slug", "title", "summary", "languages", "workload_hours", "institution"},
        {"competences", "certificate_validity_months", "outcomes"},
        "the course metadata",
    )
    slug = check.slug(meta, "slug", "course slug") or ""
    languages = _languages(check, meta)
    institution = meta.get("institution")
    if institution is not None and institution not in known_institutions:
        check.error(key_line(meta, "institution"), f"unknown institution '{institution}'")
    workload = check.integer(meta, "workload_hours", "workload_hours", 1, 1000)
    course = CourseSource(
        slug=slug,
        folder=folder,
        path=shown,
        titles=check.translated(meta, "title", "title", tuple(languages)),
        summaries=check.translated(meta, "summary", "summary", tuple(languages)),
        languages=languages,
        workload_hours=workload or 0,
        institution=str(institution or ""),
        certificate_validity_months=check.integer(
            meta, "certificate_validity_months", "certificate_validity_months", 1, 240
        ),
        competences=_competences(check, meta, framework),
        lessons=[],
        assets=_assets(check, folder),
        framework=framework,
    )
    claims = {claim.code: claim.level for claim in course.competences}
    course.outcomes = parse_outcomes(
        check, meta.get("outcomes"), key_line(meta, "outcomes"), claims, tuple(languages)
    )
    if course.outcomes:
        check_outcomes_cover_claims(check, course.outcomes, claims, key_line(meta, "outcomes"))
    digest = hashlib.sha256(raw)
    course.lessons = _lessons(check, folder, course, digest)
    course.quiz, course.quiz_hash = _quiz(check, folder, course, framework)
    digest.update(course.quiz_hash.encode())
    course.materials = load_materials(folder, languages, check.problems, digest)
    for asset in course.assets:
        digest.update(asset.encode())
        digest.update((folder / asset).read_bytes())
    course.content_hash = digest.hexdigest()
    for lesson in course.lessons:
        for lesson_file in lesson.files.values():
            _check_body(check, lesson_file, course)
    for page in course.materials.pages:
        for page_file in page.files.values():
            _check_body(check, page_file, course)
    _check_workload(check, meta, course)
    return course, check.problems


def _check_workload(check: Checker, meta: LineDict, course: CourseSource) -> None:
    """Certificates print workload_hours: warn when the content says otherwise."""
    if not course.workload_hours or not course.lessons:
        return
    work = estimate(course)
    if work.differs_from(course.workload_hours):
        check.warning(
            key_line(meta, "workload_hours"), workload_message(course.workload_hours, work)
        )


def _languages(check: Checker, meta: LineDict) -> list[str]:
    value = meta.get("languages")
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        check.error(key_line(meta, "languages"), "languages must be a list such as [sl, hr, en]")
        return []
    result = []
    for index, language in enumerate(value):
        if language not in LANGUAGES:
            check.error(item_line(value, index), f"unknown language '{language}'")
        elif language not in result:
            result.append(language)
    return result


def _competences(
    check: Checker, meta: LineDict, framework: Framework | None
) -> list[CompetenceClaim]:
    value = meta.get("competences")
    if value is None:
        return []
    if not isinstance(value, list):
        check.error(key_line(meta, "competences"), "competences must be a list of id and level")
        return []
    claims: list[CompetenceClaim] = []
    for index, item in enumerate(value):
        mapping = check.mapping(item, item_line(value, index), "a competence")
        if mapping is None:
            continue
        check.keys(mapping, {"id", "level"}, set(), "a competence")
        level = check.integer(mapping, "level", "level", 1, 4)
        code = mapping.get("id")
        if framework is None:
            check.error(mapping.line, f"competence '{code}' given but no {FRAMEWORK_FILE} found")
        elif code not in framework.competence_codes:
            check.error(key_line(mapping, "id"), f"unknown competence '{code}'")
        elif level is not None:
            claims.append(CompetenceClaim(code, level))
    return claims


def _assets(check: Checker, folder: Path) -> list[str]:
    assets = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in ASSET_SUFFIXES:
            continue
        name = path.relative_to(folder).as_posix()
        if path.stat().st_size > MAX_ASSET_BYTES:
            check.problems.append(
                Problem(relative_path(path), 1, "file is larger than 5 MB", is_warning=False)
            )
            continue
        assets.append(name)
    return assets


def _lessons(check: Checker, folder: Path, course: CourseSource, digest) -> list[LessonSource]:
    by_slug: dict[str, LessonSource] = {}
    positions: dict[int, str] = {}
    for path in sorted(folder.glob("*.md")):
        shown = relative_path(path)
        if QUIZ_NAME_RE.match(path.name):
            continue
        match = LESSON_NAME_RE.match(path.name)
        if not match:
            check.problems.append(
                Problem(shown, 1, "a lesson file is named like 01-lesson-slug.sl.md")
            )
            continue
        language, slug, position = match["language"], match["slug"], int(match["number"])
        if language not in course.languages:
            check.problems.append(
                Problem(shown, 1, f"language '{language}' is not in the course's languages")
            )
            continue
        if positions.setdefault(position, slug) != slug:
            check.problems.append(
                Problem(
                    shown, 1, f"lesson number {position:02d} is used by '{positions[position]}' too"
                )
            )
            continue
        lesson = by_slug.setdefault(slug, LessonSource(slug, position))
        if lesson.position != position:
            check.problems.append(
                Problem(
                    shown,
                    1,
                    f"lesson '{slug}' has number {lesson.position:02d} in another language",
                )
            )
            continue
        raw = path.read_bytes()
        digest.update(path.name.encode())
        digest.update(raw)
        claims = {claim.code: claim.level for claim in course.competences}
        lesson_file = _lesson_file(check, shown, raw, language, claims)
        if lesson_file is not None:
            lesson.files[language] = lesson_file
    lessons = sorted(by_slug.values(), key=lambda lesson: lesson.position)
    for lesson in lessons:
        for language in course.languages:
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


def _quiz(
    check: Checker, folder: Path, course: CourseSource, framework: Framework | None
) -> tuple[dict[str, QuizSource], str]:
    """The quiz files, one per course language, with the same questions in each."""
    paths = {}
    for path in sorted(folder.glob("quiz.*.md")):
        match = QUIZ_NAME_RE.match(path.name)
        if not match or match["language"] not in course.languages:
            check.problems.append(
                Problem(
                    relative_path(path),
                    1,
                    "a quiz file is named quiz.<language>.md, in one of the course's languages",
                )
            )
            continue
        paths[match["language"]] = path
    if not paths:
        return {}, ""
    digest = hashlib.sha256()
    known = framework.competence_codes if framework is not None else None
    sources: dict[str, QuizSource] = {}
    for language, path in paths.items():
        raw = path.read_bytes()
        digest.update(path.name.encode())
        digest.update(raw)
        source, problems = parse_quiz(raw.decode("utf-8"), relative_path(path), known)
        check.problems.extend(problems)
        if not any(not problem.is_warning for problem in problems):
            sources[language] = source
    first = relative_path(next(iter(paths.values())))
    for language in course.languages:
        if language not in paths:
            check.problems.append(
                Problem(
                    first, 1, f"the quiz is missing in '{language}' (expected quiz.{language}.md)"
                )
            )
    _check_quiz_languages(check, sources, paths, course.languages)
    return sources, digest.hexdigest()


def _check_quiz_languages(
    check: Checker, sources: dict[str, QuizSource], paths: dict[str, Path], languages: list[str]
) -> None:
    """Every language asks the same questions, of the same types, in the same groups."""
    present = [language for language in languages if language in sources]
    if len(present) < 2:
        return
    main_language = present[0]
    main = sources[main_language]
    main_name = paths[main_language].name
    for language in present[1:]:
        other, shown = sources[language], relative_path(paths[language])
        if len(other.questions) != len(main.questions):
            check.problems.append(
                Problem(
                    shown,
                    1,
                    f"{len(other.questions)} questions here but "
                    f"{len(main.questions)} in {main_name}",
                )
            )
            continue
        for index, (mine, theirs) in enumerate(zip(main.questions, other.questions, strict=True)):
            if mine.type != theirs.type:
                check.problems.append(
                    Problem(
                        shown,
                        theirs.line or 1,
                        f"question {index + 1} is '{theirs.type}' "
                        f"here but '{mine.type}' in {main_name}",
                    )
                )
            elif (mine.competence, mine.competence_level) != (
                theirs.competence,
                theirs.competence_level,
            ):
                check.problems.append(
                    Problem(
                        shown,
                        theirs.line or 1,
                        f"question {index + 1} has another competence than in {main_name}",
                    )
                )
        groups = [(group.name, group.pick, group.question_indexes) for group in main.groups]
        if [(g.name, g.pick, g.question_indexes) for g in other.groups] != groups:
            check.problems.append(Problem(shown, 1, f"the question groups differ from {main_name}"))


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


def _body_lines(lesson_file: LessonFile | PageFile) -> Iterator[tuple[int, str]]:
    """The body's lines with their file line numbers, skipping fenced code."""
    in_fence = False
    for offset, line in enumerate(lesson_file.body.splitlines()):
        if FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield lesson_file.body_first_line + offset, line


def lesson_link_target(target: str) -> tuple[str, str] | None:
    """`02-slug.md#part` or `02-slug.sl.md` -> ('slug', '#part'); None if not a lesson link."""
    path, _, anchor = target.partition("#")
    name = PurePosixPath(path).name
    match = re.match(r"^\d{1,3}-([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.[a-z]{2})?\.md$", name)
    if match and "/" not in path:
        return match.group(1), (f"#{anchor}" if anchor else "")
    return None


def _check_body(check: Checker, lesson_file: LessonFile | PageFile, course: CourseSource) -> None:
    lessons = {lesson.slug for lesson in course.lessons}
    assets = set(course.assets)
    pages = {page.slug for page in course.materials.pages}
    # The pages the platform makes from course.yml and materials/ can be linked to as well.
    made = {"outcomes": course.outcomes, "glossary": course.materials.glossary}
    made["sources"] = course.materials.sources
    pages |= {slug for slug, content in made.items() if content}
    previous_level = 1
    for number, line in _body_lines(lesson_file):
        heading = HEADING_RE.match(line)
        if heading:
            level = len(heading.group(1))
            if level == 1:
                check.problems.append(
                    Problem(
                        lesson_file.path,
                        number,
                        "a lesson has no level-1 heading (# ...): "
                        "the title is the page's heading; start sections at ##",
                    )
                )
            elif level > previous_level + 1:
                check.problems.append(
                    Problem(
                        lesson_file.path,
                        number,
                        f"heading level {level} follows level "
                        f"{previous_level}: do not skip heading levels",
                    )
                )
            previous_level = level
        for match in LINK_RE.finditer(line):
            problem = _check_link(match, lessons, assets, pages)
            if problem:
                check.problems.append(Problem(lesson_file.path, number, problem))


# Link texts that do not say where the link goes (WCAG 2.4.4), in the course languages.
VAGUE_LINK_TEXTS = {
    "here", "click here", "link", "this link", "more", "read more", "this", "page",
    "tukaj", "klikni tukaj", "kliknite tukaj", "povezava", "ta povezava", "več", "preberi več",
    "ovdje", "klikni ovdje", "kliknite ovdje", "poveznica", "ova poveznica", "više",
    "pročitaj više", "saznaj više",
}  # fmt: skip


def _check_link(
    match: re.Match, lessons: set[str], assets: set[str], pages: set[str]
) -> str | None:
    target, is_image, text = match["target"], bool(match["image"]), match["text"].strip()
    if is_image and not text:
        return f"image '{target}' has no alt text: describe it in ![...]"
    if not is_image and text.strip("*_ .:").casefold() in VAGUE_LINK_TEXTS:
        return f"link text '{text}' does not say where the link goes: name the destination"
    if not target:
        return "empty link target"
    if target.startswith("#"):
        return None
    if SCHEME_RE.match(target):
        if target.split(":", 1)[0].lower() in ("http", "https", "mailto"):
            return None
        return f"link '{target}' uses a scheme that is not allowed"
    if not is_image and lesson_link_target(target):
        slug = lesson_link_target(target)[0]  # type: ignore[index]
        return None if slug in lessons else f"broken internal link: no lesson '{slug}'"
    if not is_image and page_link_target(target):
        page = page_link_target(target)
        return None if page in pages else f"broken internal link: no page 'materials/{page}'"
    path = PurePosixPath(target.partition("#")[0])
    if path.is_absolute() or ".." in path.parts:
        return f"link '{target}' must stay inside the course folder"
    if str(path) not in assets:
        kind = "image" if is_image else "link"
        return f"broken {kind}: no file '{path}' in the course folder"
    return None
