"""Question banks from Moodle (GIFT, Moodle XML) into a course's draft, never straight to
learners: an import changes the draft's quiz files, and the live quiz changes when the draft is
published, like any other edit. No request context: the views and `flask quizzes` call this.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.authoring.drafts import DraftError, WorkingCopy, store
from app.authoring.images import check_image
from app.authoring.models import CourseDraft
from app.core.sources import Problem
from app.core.storage import storage
from app.courses.revisions import store_blob
from app.questions.bank import Bank, Uncarried, drop_duplicate_ids, merge
from app.questions.gift import gift_uncarried, parse_gift
from app.questions.markdown_fit import fit_quiz_file
from app.questions.markdown_format import QuizSettings, QuizSource, dump_quiz, parse_quiz
from app.questions.model import Question
from app.questions.moodle_xml import parse_moodle_xml, xml_uncarried
from app.questions.moodle_xml_export import default_name

MAX_IMPORT_BYTES = 20 * 1024 * 1024
FORMATS = ("gift", "xml")
STATUSES = ("new", "unchanged", "updated")


class QuizImportError(DraftError):
    """The import cannot be done; `problems` say where (file:line), if anywhere."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class ImportedQuestion:
    question: Question
    status: str
    warnings: list[Problem] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The start of the question's text as learners read it, for the preview."""
        return default_name(self.question)


@dataclass
class ImportPlan:
    """What an import does to the draft: per question its status and warnings; the quiz
    files and images it writes. Nothing is written until `apply_import`."""

    filename: str
    format: str
    language: str
    questions: list[ImportedQuestion] = field(default_factory=list)
    # Warnings of the file not about one question that was read (a block skipped, say).
    other_warnings: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    assets: dict[str, str] = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(item.status for item in self.questions)
        return {status: found[status] for status in STATUSES}

    @property
    def changes(self) -> bool:
        return bool(self.files or self.assets)


def detect_format(data: bytes, filename: str) -> str:
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:5].lower()
    if filename.lower().endswith(".xml") or start.startswith((b"<?xml", b"<quiz")):
        return "xml"
    return "gift"


class _Images:
    """The images of a Moodle XML file, checked like an uploaded course image and kept at
    images/<name> beside the quiz (another name when a different image has that one)."""

    def __init__(self, copy: WorkingCopy, path: str) -> None:
        self.assets = dict(copy.assets)
        self.path = path
        self.added: dict[str, str] = {}
        self.data: dict[str, bytes] = {}
        self.problems: list[Problem] = []

    def __call__(self, folder: str, name: str, data: bytes, line: int) -> str | None:
        try:
            suffix = check_image(data)
        except DraftError as error:
            self.problems.append(Problem(self.path, line, f"{name}: {error}", is_warning=True))
            return None
        digest = hashlib.sha256(data).hexdigest()
        target = self._target(folder, name, suffix, digest)
        if self.assets.get(target) != digest:
            self.assets[target] = self.added[target] = digest
            self.data[target] = data
        return target

    def _target(self, folder: str, name: str, suffix: str, digest: str) -> str:
        parts = [_slug(part) for part in folder.strip("/").split("/") if part.strip()]
        stem = _slug(PurePosixPath(name).stem) or "image"
        base = "/".join(parts or ["images"])
        target = f"{base}/{stem}{suffix}"
        if target in self.assets and self.assets[target] != digest:
            target = f"{base}/{stem}-{digest[:8]}{suffix}"
        return target


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-.")


def read_bank(
    copy: WorkingCopy, data: bytes, filename: str, form: str | None = None
) -> tuple[list[Question], list[Problem], _Images, Uncarried]:
    """The questions of a GIFT or Moodle XML file, its warnings, its images and what its format
    cannot say."""
    if len(data) > MAX_IMPORT_BYTES:
        raise QuizImportError(
            gettext("The file is larger than %(size)d MB.", size=MAX_IMPORT_BYTES // 2**20)
        )
    form = form or detect_format(data, filename)
    images = _Images(copy, filename)
    if form == "xml":
        questions, problems = parse_moodle_xml(data, filename, images)
        return questions, problems + images.problems, images, xml_uncarried
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QuizImportError(gettext("The file is not UTF-8 text: save it as UTF-8.")) from error
    questions, problems = parse_gift(text, filename)
    return questions, problems, images, gift_uncarried


def draft_quiz(copy: WorkingCopy) -> dict[str, QuizSource]:
    """The draft's quiz files, parsed; refused when one has errors or they differ in shape."""
    sources: dict[str, QuizSource] = {}
    errors: list[Problem] = []
    for language in copy.languages:
        path = f"quiz.{language}.md"
        if path in copy.files:
            source, problems = parse_quiz(copy.files[path], path)
            errors += [problem for problem in problems if not problem.is_warning]
            sources[language] = source
    shapes = {
        (len(s.questions), tuple((g.name, tuple(g.question_indexes)) for g in s.groups))
        for s in sources.values()
    }
    if errors or len(shapes) > 1:
        raise QuizImportError(
            gettext(
                "The quiz files of the draft have errors or differ in their questions: correct "
                "them in the quiz editor first, then import."
            ),
            errors,
        )
    return sources


def default_settings(copy: WorkingCopy) -> dict[str, QuizSettings]:
    """A new quiz file's settings, as the quiz editor starts one."""
    return {
        language: QuizSettings(title=copy.title(language), pass_mark=60, max_attempts=3)
        for language in copy.languages
    }


def plan_import(
    copy: WorkingCopy, data: bytes, filename: str, language: str, form: str | None = None
) -> ImportPlan:
    """Read the file and merge it into the draft's quiz files, in memory."""
    if language not in copy.languages:
        raise QuizImportError(gettext("The course is not written in this language."))
    questions, problems, images, uncarried = read_bank(copy, data, filename, form)
    problems += drop_duplicate_ids(questions, filename)
    for question in questions:
        fit_quiz_file(question)
    sources = draft_quiz(copy)
    bank = Bank.from_sources(sources, copy.languages, default_settings(copy))
    outcomes = merge(bank, language, questions, uncarried)
    plan = ImportPlan(filename, form or detect_format(data, filename), language)
    lines = {question.line for question in questions}
    for outcome in outcomes:
        mine = [p for p in problems if p.line == outcome.question.line]
        plan.questions.append(ImportedQuestion(outcome.question, outcome.status, mine))
    plan.other_warnings = [problem for problem in problems if problem.line not in lines]
    for lang, source in bank.sources().items() if outcomes else ():
        if sources.get(lang) != source:
            plan.files[f"quiz.{lang}.md"] = dump_quiz(source)
    plan.assets, plan.images = images.added, images.data
    return plan


def apply_import(copy: WorkingCopy, plan: ImportPlan, user_id: int | None) -> CourseDraft | None:
    """Write the plan into the draft (made on the first change); None when nothing changes."""
    if not plan.changes:
        return None
    for data in plan.images.values():
        store_blob(data)
    return store(copy, user_id, {**copy.files, **plan.files}, {**copy.assets, **plan.assets})


# --- The file between the preview and the import ------------------------------------------
# A preview keeps the upload in the storage backend (every app server reads it, whichever
# answers the confirmation), one per trainer: a later preview replaces it. The token signs the
# trainer and the file's digest and expires after a day.

UPLOADS = "quiz-imports"
_KEEP = timedelta(days=1)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sokrog-quiz-import")


def _upload_key(user_id: int) -> str:
    return f"{UPLOADS}/{user_id}"


def keep_upload(data: bytes, user_id: int) -> str:
    """Keep an uploaded file until the import (written with the transaction); returns the
    token that finds it again."""
    storage().write(_upload_key(user_id), data)
    return _serializer().dumps([user_id, hashlib.sha256(data).hexdigest()])


def take_upload(token: str, user_id: int) -> bytes | None:
    """The file a preview kept for this trainer, or None (unknown, someone else's, expired,
    replaced by a later preview)."""
    try:
        owner, digest = _serializer().loads(token or "", max_age=int(_KEEP.total_seconds()))
    except (BadSignature, TypeError, ValueError):
        return None
    if owner != user_id:
        return None
    data = storage().read(_upload_key(user_id))
    if data is None or hashlib.sha256(data).hexdigest() != digest:
        return None
    return data


def drop_upload(user_id: int) -> None:
    storage().delete(_upload_key(user_id))
