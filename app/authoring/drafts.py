"""The editor's working copy of a course: drafts, checks, publishing, history, diffs, images."""

from __future__ import annotations

import difflib
import hashlib
import io
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml
from flask_babel import gettext
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload

from app.auth.models import User
from app.authoring.issuers import issuer_refusal
from app.authoring.models import CourseDraft
from app.core.database import utcnow
from app.core.errors import DomainError
from app.core.sources import Problem, SourceError, split_front_matter
from app.courses.models import Course, CourseRevision, CourseTrainer
from app.courses.rendering import render_lesson_html
from app.courses.revisions import (
    inside_folder,
    latest_revision,
    staging_folder,
    store_blob,
    write_files,
)
from app.courses.sources import COURSE_FILE, LESSON_NAME_RE, MAX_ASSET_BYTES, file_version
from app.courses.sync import ContentError, check_folder, sync_folder
from app.extensions import db

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TRANSLATED_FROM_RE = re.compile(r"^translated_from:\s*['\"]?([0-9a-f]+)['\"]?\s*$", re.MULTILINE)
# What Pillow recognises -> the file name suffix the course folder uses for it.
IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
MAX_IMAGE_BYTES = MAX_ASSET_BYTES
# A lesson image this large is a photo straight from a camera at most; beyond it, an image that
# decompresses to gigabytes of memory (a "decompression bomb") is refused before it is read.
MAX_IMAGE_PIXELS = 24_000_000


class DraftError(DomainError):
    """The change is refused; the message says why, in the reader's language."""


class EditConflict(DomainError):
    """Someone else saved the file since this editor loaded it; `current` is their version."""

    def __init__(self, path: str, current: str | None) -> None:
        super().__init__(f"{path} changed meanwhile")
        self.path = path
        self.current = current
        # What this trainer tried to save, to show the two versions' differences.
        self.mine: str | None = None

    def changes(self) -> list[FileDiff]:
        """From their version to mine, line by line."""
        if self.mine is None:
            return []
        theirs = {} if self.current is None else {self.path: self.current}
        return diff(theirs, {}, {self.path: self.mine}, {})


class PublishError(DomainError):
    """The draft does not pass the checks of `flask courses check`; nothing was published."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems in the draft")
        self.problems = problems


class StaleDraft(DomainError):
    """The course was published from elsewhere after this draft began."""

    def __init__(self, latest: CourseRevision) -> None:
        super().__init__(f"revision {latest.number} is newer than the draft")
        self.latest = latest


def text_hash(text: str | None) -> str:
    """What an editor form carries to notice, on save, that the file changed meanwhile."""
    return "" if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_of(text: str) -> str:
    """A file's version as translations record it in `translated_from`."""
    return file_version(text.encode("utf-8"))


def normalise(text: str) -> str:
    """Browsers send CRLF from a textarea; the course folder uses LF and ends with one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n")
    return text.rstrip() + "\n" if text.strip() else ""


# --- The working copy -------------------------------------------------------------------


@dataclass
class WorkingCopy:
    """What the editor shows: the draft if there is one, else the newest published revision."""

    slug: str
    course: Course | None
    draft: CourseDraft | None
    files: dict[str, str]
    assets: dict[str, str]
    base_revision: int | None

    @property
    def has_draft(self) -> bool:
        return self.draft is not None

    @property
    def meta(self) -> dict:
        try:
            data = yaml.safe_load(self.files.get(COURSE_FILE, "")) or {}
        except yaml.YAMLError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def languages(self) -> list[str]:
        languages = self.meta.get("languages")
        if isinstance(languages, list) and languages:
            return [str(language) for language in languages]
        return ["sl"]

    @property
    def source_language(self) -> str:
        """The language the course is written in first; the others translate it."""
        return self.languages[0]

    def title(self, language: str) -> str:
        titles = self.meta.get("title")
        if isinstance(titles, dict):
            return str(titles.get(language) or titles.get(self.source_language) or self.slug)
        return self.slug


def find_draft(slug: str) -> CourseDraft | None:
    return db.session.scalar(select(CourseDraft).where(CourseDraft.slug == slug))


def working_copy(slug: str) -> WorkingCopy | None:
    """The course's working copy, or None if there is neither a course nor a draft of it."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    draft = find_draft(slug)
    if draft is not None:
        return WorkingCopy(
            slug, course, draft, dict(draft.files), dict(draft.assets), draft.base_revision
        )
    if course is None:
        return None
    revision = latest_revision(course.id)
    if revision is None:
        return WorkingCopy(slug, course, None, {}, {}, None)
    return WorkingCopy(
        slug, course, None, dict(revision.files), dict(revision.assets), revision.number
    )


def _writable_draft(copy: WorkingCopy, user_id: int) -> CourseDraft:
    """The draft to change, made from the published revision on the first edit."""
    if copy.draft is None:
        draft = CourseDraft(
            slug=copy.slug,
            course_id=copy.course.id if copy.course else None,
            files=dict(copy.files),
            assets=dict(copy.assets),
            base_revision=copy.base_revision,
            created_by_id=user_id,
            updated_by_id=user_id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except IntegrityError:
            # Another trainer started the draft a moment ago: work on theirs.
            draft = find_draft(copy.slug)  # type: ignore[assignment]
            copy.files, copy.assets = dict(draft.files), dict(draft.assets)
        copy.draft = draft
    return copy.draft


def _store(copy: WorkingCopy, user_id: int, files: dict[str, str], assets: dict[str, str]) -> None:
    draft = _writable_draft(copy, user_id)
    # New dicts, so that SQLAlchemy sees the JSON columns change.
    draft.files, draft.assets = dict(files), dict(assets)
    draft.updated_by_id = user_id
    draft.updated_at = utcnow()
    copy.files, copy.assets = dict(files), dict(assets)
    db.session.flush()


def save_file(copy: WorkingCopy, path: str, text: str, base_hash: str, user_id: int) -> bool:
    """Save one file of the draft; False if it did not change.

    `base_hash` is the file as the editor loaded it: if someone saved it since, nothing is
    overwritten and EditConflict carries their version.
    """
    current = copy.files.get(path)
    if text_hash(current) != base_hash:
        raise EditConflict(path, current)
    if current == text:
        return False
    _store(copy, user_id, {**copy.files, path: text}, copy.assets)
    return True


def discard(copy: WorkingCopy) -> None:
    if copy.draft is not None:
        db.session.delete(copy.draft)
        db.session.flush()
        copy.draft = None


# --- Creating a course and its metadata ---------------------------------------------------


def course_document(meta: dict) -> str:
    """course.yml as the editor writes it: the loader's keys in the loader's order."""
    order = [
        "slug",
        "title",
        "summary",
        "languages",
        "workload_hours",
        "institution",
        "certificate_validity_months",
        "competences",
    ]
    ordered = {key: meta[key] for key in order if meta.get(key) not in (None, [], {})}
    ordered.update({key: value for key, value in meta.items() if key not in ordered})
    return yaml.safe_dump(
        ordered, allow_unicode=True, sort_keys=False, width=100, default_flow_style=None
    )


def new_course(
    slug: str,
    institution: str,
    languages: list[str],
    title: str,
    user_id: int,
) -> WorkingCopy:
    """A draft of a course that learners will see once it is published."""
    if not SLUG_RE.match(slug):
        raise DraftError(gettext("Use lowercase letters, digits and hyphens, e.g. my-course."))
    exists = db.session.scalar(select(Course.id).where(Course.slug == slug))
    if exists is not None or find_draft(slug) is not None:
        raise DraftError(gettext("A course with this short name exists already."))
    meta = {
        "slug": slug,
        "title": {languages[0]: title},
        "summary": {languages[0]: ""},
        "languages": languages,
        "workload_hours": 1,
        "institution": institution,
    }
    copy = WorkingCopy(slug, None, None, {COURSE_FILE: course_document(meta)}, {}, None)
    _store(copy, user_id, copy.files, {})
    return copy


def save_meta(copy: WorkingCopy, changes: dict, base_hash: str, user_id: int) -> bool:
    """Change course.yml's fields (never the slug, which names the course everywhere)."""
    meta = {**copy.meta, **changes, "slug": copy.slug}
    return save_file(copy, COURSE_FILE, course_document(meta), base_hash, user_id)


# --- Lessons ------------------------------------------------------------------------------


@dataclass
class LessonEntry:
    slug: str
    position: int
    paths: dict[str, str] = field(default_factory=dict)


def lessons(copy: WorkingCopy) -> list[LessonEntry]:
    by_slug: dict[str, LessonEntry] = {}
    for path in copy.files:
        match = LESSON_NAME_RE.match(path)
        if match:
            entry = by_slug.setdefault(
                match["slug"], LessonEntry(match["slug"], int(match["number"]))
            )
            entry.paths[match["language"]] = path
    return sorted(by_slug.values(), key=lambda entry: (entry.position, entry.slug))


def lesson_entry(copy: WorkingCopy, slug: str) -> LessonEntry | None:
    return next((entry for entry in lessons(copy) if entry.slug == slug), None)


def lesson_path(position: int, slug: str, language: str) -> str:
    return f"{position:02d}-{slug}.{language}.md"


@dataclass
class LessonFields:
    """A lesson file as the editor's form shows it."""

    title: str = ""
    summary: str = ""
    minutes: int | None = None
    body: str = ""
    translated_from: str | None = None


def lesson_fields(text: str | None) -> LessonFields:
    if not text:
        return LessonFields()
    try:
        parsed = split_front_matter(text, "-")
    except SourceError:
        # Keep everything the author wrote, even when the front matter is broken.
        return LessonFields(body=text)
    meta = parsed.meta if isinstance(parsed.meta, dict) else {}
    minutes = meta.get("minutes")
    translated = meta.get("translated_from")
    return LessonFields(
        title=str(meta.get("title") or ""),
        summary=str(meta.get("summary") or ""),
        minutes=minutes if isinstance(minutes, int) else None,
        body=parsed.body.lstrip("\n"),
        translated_from=str(translated) if translated else None,
    )


def lesson_document(fields: LessonFields) -> str:
    meta: dict = {"title": fields.title.strip()}
    if fields.summary.strip():
        meta["summary"] = fields.summary.strip()
    if fields.minutes:
        meta["minutes"] = fields.minutes
    if fields.translated_from:
        meta["translated_from"] = fields.translated_from
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    body = normalise(fields.body)
    return f"---\n{front}---\n\n{body}" if body else f"---\n{front}---\n"


def save_lesson(
    copy: WorkingCopy,
    slug: str,
    language: str,
    fields: LessonFields,
    base_hash: str,
    user_id: int,
) -> bool:
    """Save a lesson in one language; a new translation records the source it translates."""
    entry = lesson_entry(copy, slug)
    if entry is None:
        raise DraftError(gettext("This lesson is no longer in the draft."))
    path = entry.paths.get(language) or lesson_path(entry.position, slug, language)
    current = copy.files.get(path)
    if current is not None and lesson_fields(current) == fields:
        # Unchanged: keep the file as its author formatted it.
        if text_hash(current) != base_hash:
            raise EditConflict(path, current)
        return False
    return save_file(copy, path, lesson_document(fields), base_hash, user_id)


def add_lesson(copy: WorkingCopy, slug: str, title: str, user_id: int) -> LessonEntry:
    """A new lesson at the end, in the source language; translations follow in the editor."""
    if not SLUG_RE.match(slug):
        raise DraftError(gettext("Use lowercase letters, digits and hyphens, e.g. my-course."))
    entries = lessons(copy)
    if any(entry.slug == slug for entry in entries):
        raise DraftError(gettext("The course has a lesson with this short name already."))
    position = max((entry.position for entry in entries), default=0) + 1
    path = lesson_path(position, slug, copy.source_language)
    text = lesson_document(LessonFields(title=title))
    _store(copy, user_id, {**copy.files, path: text}, copy.assets)
    return LessonEntry(slug, position, {copy.source_language: path})


def _renumbered(files: dict[str, str], order: list[LessonEntry]) -> dict[str, str]:
    """The files with the lessons of `order` numbered 01, 02, ... and no other lesson."""
    files = dict(files)
    moved: dict[str, str] = {}
    for position, entry in enumerate(order, start=1):
        for language, path in entry.paths.items():
            moved[lesson_path(position, entry.slug, language)] = files.pop(path)
    return {**files, **moved}


def move_lesson(copy: WorkingCopy, slug: str, offset: int, user_id: int) -> None:
    order = lessons(copy)
    index = next((i for i, entry in enumerate(order) if entry.slug == slug), None)
    if index is None:
        raise DraftError(gettext("This lesson is no longer in the draft."))
    target = index + offset
    if not 0 <= target < len(order):
        return
    order.insert(target, order.pop(index))
    _store(copy, user_id, _renumbered(copy.files, order), copy.assets)


def remove_lesson(copy: WorkingCopy, slug: str, user_id: int) -> None:
    """Take the lesson out; once published it is retired, and learners' progress stays."""
    order = lessons(copy)
    entry = next((entry for entry in order if entry.slug == slug), None)
    if entry is None:
        raise DraftError(gettext("This lesson is no longer in the draft."))
    order.remove(entry)
    files = {path: text for path, text in copy.files.items() if path not in entry.paths.values()}
    _store(copy, user_id, _renumbered(files, order), copy.assets)


# --- Translations -------------------------------------------------------------------------


@dataclass
class Translation:
    """Where one language of a lesson stands against the source language."""

    language: str
    # "source", "current", "outdated" (needs update), "untracked" or "missing"
    state: str
    path: str | None = None

    @property
    def needs_update(self) -> bool:
        return self.state == "outdated"


def recorded_source(text: str) -> str | None:
    """The source version a translation records, read without parsing the whole file."""
    head = text.split("\n---", 2)[0] if text.startswith("---") else ""
    match = TRANSLATED_FROM_RE.search(head)
    return match.group(1) if match else None


def translations(copy: WorkingCopy, entry: LessonEntry) -> list[Translation]:
    source_language = copy.source_language
    source_path = entry.paths.get(source_language)
    source_version = version_of(copy.files[source_path]) if source_path else None
    states = []
    for language in copy.languages:
        path = entry.paths.get(language)
        if path is None:
            states.append(Translation(language, "missing"))
        elif language == source_language:
            states.append(Translation(language, "source", path))
        else:
            recorded = recorded_source(copy.files[path])
            if recorded is None:
                state = "untracked"
            elif recorded == source_version:
                state = "current"
            else:
                state = "outdated"
            states.append(Translation(language, state, path))
    return states


def source_revisions(copy: WorkingCopy, slug: str) -> dict[str, int]:
    """Each version of a lesson's source file -> the first revision that published it."""
    if copy.course is None:
        return {}
    found: dict[str, int] = {}
    revisions = db.session.scalars(
        select(CourseRevision)
        .where(CourseRevision.course_id == copy.course.id)
        .order_by(CourseRevision.number)
    )
    suffix = f"-{slug}.{copy.source_language}.md"
    for revision in revisions:
        for path, text in revision.files.items():
            if path.endswith(suffix) and LESSON_NAME_RE.match(path):
                found.setdefault(version_of(text), revision.number)
    return found


# --- Images -------------------------------------------------------------------------------


def _too_many_pixels() -> str:
    return gettext(
        "The image has too many pixels: at most %(count)d megapixels, for example 6000 x 4000.",
        count=MAX_IMAGE_PIXELS // 1_000_000,
    )


def add_image(copy: WorkingCopy, filename: str, data: bytes, alt: str, user_id: int) -> str:
    """Store an uploaded image with the course; return the Markdown that shows it."""
    alt = " ".join(alt.split())
    if not alt:
        raise DraftError(gettext("Describe the image for people who cannot see it."))
    if len(data) > MAX_IMAGE_BYTES:
        raise DraftError(
            gettext("The image is larger than %(size)d MB.", size=MAX_IMAGE_BYTES // 2**20)
        )
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: refuse those images too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                width, height = image.size
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DraftError(_too_many_pixels()) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise DraftError(gettext("This file is not a PNG, JPEG, GIF or WebP image.")) from error
    if width * height > MAX_IMAGE_PIXELS:
        raise DraftError(_too_many_pixels())
    if kind not in IMAGE_FORMATS:
        raise DraftError(gettext("This file is not a PNG, JPEG, GIF or WebP image."))
    stem = re.sub(r"[^a-z0-9]+", "-", PurePosixPath(filename).stem.lower()).strip("-") or "image"
    digest = store_blob(data)
    path = f"images/{stem}{IMAGE_FORMATS[kind]}"
    number = 2
    while path in copy.assets and copy.assets[path] != digest:
        path = f"images/{stem}-{number}{IMAGE_FORMATS[kind]}"
        number += 1
    _store(copy, user_id, copy.files, {**copy.assets, path: digest})
    return f"![{alt.replace(']', ')')}]({path})"


# --- Checking and publishing --------------------------------------------------------------


def _stage(root: Path, copy: WorkingCopy, files: dict[str, str]) -> Path:
    """The working copy as a course folder, checked and loaded like one of `courses/`."""
    folder = staging_folder(root, copy.slug)
    write_files(files, copy.assets, folder)
    return folder


def check(copy: WorkingCopy, files: dict[str, str] | None = None) -> list[Problem]:
    """Every problem `flask courses check` finds in the working copy (or in `files`)."""
    files = copy.files if files is None else files
    with tempfile.TemporaryDirectory() as tmp:
        folder = _stage(Path(tmp), copy, files)
        catalogue = check_folder(folder)
        problems = inside_folder(catalogue.problems, folder)
    slug = copy.meta.get("slug")
    if slug != copy.slug:
        problems.append(Problem(COURSE_FILE, 1, f"the slug must stay '{copy.slug}'"))
    return problems


def check_file(copy: WorkingCopy, path: str, text: str) -> list[Problem]:
    """The problems of one file as it would be with `text`, in the context of its course."""
    return [problem for problem in check(copy, {**copy.files, path: text}) if problem.path == path]


def publish(copy: WorkingCopy, user: User, overwrite: bool = False) -> Course:
    """Check the draft like `flask courses check` and load it like `flask courses sync`."""
    if copy.draft is None:
        raise DraftError(gettext("There are no changes to publish."))
    latest = latest_revision(copy.course.id) if copy.course else None
    if latest is not None and latest.number != copy.draft.base_revision and not overwrite:
        raise StaleDraft(latest)
    errors = [problem for problem in check(copy) if not problem.is_warning]
    if errors:
        raise PublishError(errors)
    current = copy.course.institution.slug if copy.course else None
    refusal = issuer_refusal(user, str(copy.meta.get("institution", "")), current, copy.slug)
    if refusal:
        raise DraftError(refusal)
    origin = copy.course.origin if copy.course else "editor"
    with tempfile.TemporaryDirectory() as tmp:
        folder = _stage(Path(tmp), copy, copy.files)
        try:
            report = sync_folder(folder, origin=origin, author_id=user.id, revision_source="editor")
        except ContentError as error:
            raise PublishError(inside_folder(error.problems, folder)) from error
    course = report.courses[0]
    if copy.course is None and not user.has_role("admin"):
        # Whoever creates a course looks after it.
        db.session.add(CourseTrainer(course_id=course.id, user_id=user.id))
    db.session.delete(copy.draft)
    db.session.flush()
    copy.course, copy.draft = course, None
    return course


# --- History ------------------------------------------------------------------------------


def revisions(course: Course, limit: int | None = None) -> list[CourseRevision]:
    """The course's revisions, newest first, with their authors but not their files (one query)."""
    return list(
        db.session.scalars(
            select(CourseRevision)
            .where(CourseRevision.course_id == course.id)
            .options(
                joinedload(CourseRevision.author),
                defer(CourseRevision.files),
                defer(CourseRevision.assets),
            )
            .order_by(CourseRevision.number.desc())
            .limit(limit)
        )
    )


def revision(course: Course, number: int) -> CourseRevision | None:
    return db.session.scalar(
        select(CourseRevision).where(
            CourseRevision.course_id == course.id, CourseRevision.number == number
        )
    )


@dataclass
class DiffLine:
    kind: str  # "hunk", "added", "removed" or "same"
    text: str


@dataclass
class FileDiff:
    path: str
    status: str  # "added", "removed" or "changed"
    lines: list[DiffLine] = field(default_factory=list)
    is_binary: bool = False


def diff(
    old_files: dict[str, str],
    old_assets: dict[str, str],
    new_files: dict[str, str],
    new_assets: dict[str, str],
) -> list[FileDiff]:
    """What changed from one state of the course to another, file by file."""
    result = []
    for path in sorted(set(old_files) | set(new_files)):
        old, new = old_files.get(path), new_files.get(path)
        if old == new:
            continue
        status = "added" if old is None else "removed" if new is None else "changed"
        lines = []
        for line in difflib.unified_diff(
            (old or "").splitlines(), (new or "").splitlines(), lineterm="", n=2
        ):
            if line.startswith(("---", "+++")):
                continue
            kind = {"@": "hunk", "+": "added", "-": "removed"}.get(line[:1], "same")
            lines.append(DiffLine(kind, line[1:] if kind != "hunk" else line))
        result.append(FileDiff(path, status, lines))
    for path in sorted(set(old_assets) | set(new_assets)):
        old, new = old_assets.get(path), new_assets.get(path)
        if old != new:
            status = "added" if old is None else "removed" if new is None else "changed"
            result.append(FileDiff(path, status, is_binary=True))
    return sorted(result, key=lambda item: item.path)


def restore(copy: WorkingCopy, old: CourseRevision, user_id: int) -> None:
    """Make an old revision the draft; publishing it makes it current again."""
    latest = latest_revision(copy.course.id) if copy.course else None
    _store(copy, user_id, old.files, old.assets)
    # The draft now answers the newest revision: publishing it needs no overwrite warning.
    copy.draft.base_revision = latest.number if latest else None  # type: ignore[union-attr]


def preview_lesson(copy: WorkingCopy, body: str, files_url: str) -> str:
    """The lesson body as learners will get it: the same Markdown pipeline and sanitising."""
    return render_lesson_html(copy.slug, normalise(body), files_url)
