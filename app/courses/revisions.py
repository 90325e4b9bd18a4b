"""Course revisions: every load keeps the course's files, text verbatim and the rest as blobs."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.core.sources import Problem
from app.core.storage import storage
from app.courses.models import Course, CourseRevision
from app.extensions import db
from app.framework.loader import FRAMEWORK_FILE

TEXT_SUFFIXES = (".yml", ".yaml", ".md")


def _blob_key(digest: str) -> str:
    return f"blobs/{digest[:2]}/{digest}"


def snapshot(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The course folder's text files verbatim, and its other files by SHA-256 (stored as blobs)."""
    files: dict[str, str] = {}
    assets: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if path.suffix in TEXT_SUFFIXES:
            files[name] = data.decode("utf-8")
            continue
        assets[name] = store_blob(data)
    return files, assets


def latest_revision(course_id: int) -> CourseRevision | None:
    return db.session.scalar(
        select(CourseRevision)
        .where(CourseRevision.course_id == course_id)
        .order_by(CourseRevision.number.desc())
        .limit(1)
    )


def record_revision(
    course: Course, folder: Path, source: str, author_id: int | None = None
) -> CourseRevision | None:
    """Keep the folder as the course's newest revision, unless it is the same content."""
    latest = latest_revision(course.id)
    if latest is not None and latest.content_hash == course.content_hash:
        return None
    files, assets = snapshot(folder)
    number = (
        db.session.scalar(
            select(func.max(CourseRevision.number)).where(CourseRevision.course_id == course.id)
        )
        or 0
    ) + 1
    revision = CourseRevision(
        course_id=course.id,
        number=number,
        content_hash=course.content_hash,
        files=files,
        assets=assets,
        author_id=author_id,
        source=source,
    )
    db.session.add(revision)
    return revision


def write_revision(revision: CourseRevision, folder: Path) -> None:
    """The revision's files into `folder`, exactly as they were read."""
    write_files(revision.files, revision.assets, folder)


def store_blob(data: bytes) -> str:
    """Keep a file in the blob store; return its SHA-256, which names it there."""
    digest = hashlib.sha256(data).hexdigest()
    files = storage()
    if not files.exists(_blob_key(digest)):
        files.write(_blob_key(digest), data)
    return digest


def blob_bytes(digest: str) -> bytes:
    data = storage().read(_blob_key(digest))
    if data is None:
        raise FileNotFoundError(f"blob {digest} is missing from the storage")
    return data


def write_files(files: dict[str, str], assets: dict[str, str], folder: Path) -> None:
    """A course's text files and blob-stored assets into `folder`, byte for byte."""
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    for name, digest in assets.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob_bytes(digest))


def staging_folder(root: Path, name: str) -> Path:
    """An empty course folder `root/name` beside this installation's competence framework.

    A course from a zip or a draft is checked and loaded as one course folder of `courses/`.
    """
    root.mkdir(parents=True, exist_ok=True)
    framework = Path(current_app.config["COURSES_DIR"]) / FRAMEWORK_FILE
    if framework.exists():
        shutil.copyfile(framework, root / FRAMEWORK_FILE)
    folder = root / name
    folder.mkdir()
    return folder


def inside_folder(problems: list[Problem], folder: Path) -> list[Problem]:
    """Problems named by their path inside the course folder, as the author knows the file."""
    marker = f"{folder.name}/"
    return [
        Problem(
            p.path.split(marker, 1)[1] if marker in p.path else p.path,
            p.line,
            p.message,
            p.is_warning,
        )
        for p in problems
    ]
