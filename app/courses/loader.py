"""Parse and validate the courses/ folder into plain data, without touching the database."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.core.sources import (
    LineDict,
    Problem,
    SourceError,
    item_line,
    key_line,
    parse_yaml,
    relative_path,
)
from app.core.validate import LANGUAGES, Checker
from app.courses.lesson_files import read_lessons
from app.courses.links import check_body
from app.courses.materials import PageFile, load_materials
from app.courses.outcomes import check_outcomes_cover_claims, parse_outcomes
from app.courses.quiz_files import read_quiz
from app.courses.sources import (
    ASSET_SUFFIXES,
    COURSE_FILE,
    MAX_ASSET_BYTES,
    Catalogue,
    CompetenceClaim,
    CourseSource,
    LessonFile,
)
from app.courses.workload import estimate, workload_message
from app.framework.loader import FRAMEWORK_FILE, Framework, load_framework


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
    course = _course_source(check, meta, folder, shown, known_institutions, framework)
    digest = hashlib.sha256(raw)
    course.lessons = read_lessons(check, folder, course, digest)
    course.quiz, course.quiz_hash = read_quiz(check, folder, course, framework)
    digest.update(course.quiz_hash.encode())
    course.materials = load_materials(folder, course.languages, check.problems, digest)
    for asset in course.assets:
        digest.update(asset.encode())
        digest.update((folder / asset).read_bytes())
    course.content_hash = digest.hexdigest()
    texts: list[LessonFile | PageFile] = [
        file for lesson in course.lessons for file in lesson.files.values()
    ]
    texts += [file for page in course.materials.pages for file in page.files.values()]
    for text in texts:
        check_body(check, text, course)
    _check_workload(check, meta, course)
    return course, check.problems


def _course_source(
    check: Checker,
    meta: LineDict,
    folder: Path,
    shown: str,
    known_institutions: set[str],
    framework: Framework | None,
) -> CourseSource:
    """course.yml's fields, checked, as the course the lessons and quiz are read into."""
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
    return course


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
