"""Reading a course's quiz files, one per language, and checking they match."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.core.sources import (
    Problem,
    relative_path,
)
from app.core.validate import Checker
from app.courses.sources import QUIZ_NAME_RE, CourseSource
from app.framework.loader import Framework
from app.questions.markdown_format import QuizSource, parse_quiz


def read_quiz(
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
