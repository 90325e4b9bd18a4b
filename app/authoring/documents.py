"""The editor's view of course.yml and of a lesson's front matter, written back round trip."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from sqlalchemy import select

from app.authoring.drafts import (
    SLUG_RE,
    DraftError,
    WorkingCopy,
    find_draft,
    normalise,
    save_file,
    store,
)
from app.core.sources import SourceError, split_front_matter
from app.courses.models import Course
from app.courses.sources import COURSE_FILE
from app.extensions import db

# The loader's keys of course.yml, in the order the editor writes a new file.
COURSE_KEYS = (
    "slug",
    "title",
    "summary",
    "languages",
    "workload_hours",
    "institution",
    "certificate_validity_months",
    "competences",
)


def _yaml() -> YAML:
    """ruamel.yaml in round-trip mode: an author's comments, key order and quoting survive."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(data: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _load(text: str) -> CommentedMap:
    """The document as a round-trip map; an empty or broken one gives an empty map."""
    try:
        data = _yaml().load(text or "")
    except YAMLError:
        return CommentedMap()
    return data if isinstance(data, CommentedMap) else CommentedMap()


def _merge(target: CommentedMap, key: str, value: object) -> None:
    """Set `key` to `value` in place: a map stays the same map (its comments stay with it),
    an empty value removes the key."""
    if value in (None, "", [], {}):
        target.pop(key, None)
    elif isinstance(value, dict) and isinstance(target.get(key), CommentedMap):
        current = target[key]
        for inner in [k for k in current if k not in value]:
            del current[inner]
        for inner, inner_value in value.items():
            current[inner] = inner_value
    elif target.get(key) != value:
        target[key] = _fresh(value)


def _fresh(value: object) -> object:
    """A new value as the editor has always written it: a map or list of plain values on one
    line (`title: {sl: Naslov}`, `languages: [sl, hr]`), nested ones as blocks."""
    if isinstance(value, dict):
        fresh: CommentedMap | CommentedSeq = CommentedMap(
            (key, _fresh(inner)) for key, inner in value.items()
        )
    elif isinstance(value, list):
        fresh = CommentedSeq(_fresh(item) for item in value)
    else:
        return value
    if all(not isinstance(inner, dict | list) for inner in _values(value)):
        fresh.fa.set_flow_style()
    return fresh


def _values(value: dict[Any, Any] | list[Any]) -> list[Any]:
    return list(value.values()) if isinstance(value, dict) else list(value)


def course_document(meta: dict[str, Any], original: str = "") -> str:
    """course.yml with `meta`'s values: the original file edited in place, so an author's
    comments and key order survive the editor; a new file in the loader's order."""
    data = _load(original)
    keys = [key for key in COURSE_KEYS if key in meta] + [k for k in meta if k not in COURSE_KEYS]
    for key in keys:
        _merge(data, key, meta[key])
    return _dump(data)


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
    store(copy, user_id, copy.files, {})
    return copy


def save_meta(copy: WorkingCopy, changes: dict[str, Any], base_hash: str, user_id: int) -> bool:
    """Change course.yml's fields (never the slug, which names the course everywhere); the
    rest of the file, its comments and order, stay as the author wrote them."""
    original = copy.files.get(COURSE_FILE, "")
    text = course_document({**changes, "slug": copy.slug}, original)
    return save_file(copy, COURSE_FILE, text, base_hash, user_id)


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


def lesson_document(fields: LessonFields, original: str | None = None) -> str:
    """A lesson file from the editor's fields. The front matter of the original file is
    edited in place: keys the form does not show (outcomes, activity_minutes, ...) and the
    author's comments stay."""
    front = CommentedMap()
    if original:
        try:
            parsed = split_front_matter(original, "-")
        except SourceError:
            parsed = None
        if parsed is not None and parsed.front_matter_text:
            front = _load(parsed.front_matter_text)
    _merge(front, "title", fields.title.strip())
    _merge(front, "summary", fields.summary.strip())
    _merge(front, "minutes", fields.minutes or None)
    _merge(front, "translated_from", fields.translated_from)
    head = _dump(front)
    body = normalise(fields.body)
    return f"---\n{head}---\n\n{body}" if body else f"---\n{head}---\n"
