"""Course revisions and zip packages: a course moves between git, the platform and installations."""

from __future__ import annotations

import io
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from app.core.markdown import outline
from app.core.sources import Problem
from app.courses.materials import GLOSSARY_FILE, MATERIALS_DIR, PAGE_NAME_RE, SOURCES_FILE
from app.courses.models import Course
from app.courses.revisions import blob_bytes, inside_folder, latest_revision, staging_folder
from app.courses.sources import COURSE_FILE, LESSON_NAME_RE, MAX_ASSET_BYTES, QUIZ_NAME_RE
from app.courses.sync import ContentError, check_folder, sync_folder

# A zip is read whole into memory and extracted to a temporary folder: these bound both. A
# course is text and some images: each file within the loader's 5 MB, all within 50 MB.
MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_FILES = 300
MAX_FILE_BYTES = MAX_ASSET_BYTES
MAX_TOTAL_BYTES = 50 * 1024 * 1024
# Text packs about ten to one; a member that unpacks a hundred times larger than it is stored
# is a "zip bomb". Small members are exempt: a page of blank lines packs well and harms nobody.
MAX_RATIO = 100
RATIO_EXEMPT_BYTES = 64 * 1024
# What reading a damaged zip raises, besides BadZipFile.
DAMAGED_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)

# Fixed timestamps make the same content give the same zip, byte for byte.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


class PackageError(Exception):
    """The package is refused; `problems` says why, file by file."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems in the package")
        self.problems = problems


def export_zip(course: Course) -> bytes:
    """The course's newest revision as a zip of its folder (`<slug>/course.yml`, ...)."""
    revision = latest_revision(course.id)
    if revision is None:
        raise PackageError([Problem(course.slug, 1, "the course has no stored revision yet")])
    buffer = io.BytesIO()
    entries = {name: text.encode("utf-8") for name, text in revision.files.items()}
    entries.update({name: blob_bytes(digest) for name, digest in revision.assets.items()})
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{course.slug}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def _member_problem(info: zipfile.ZipInfo, seen: set[str]) -> str | None:
    """Why one member of a course zip is refused; None if it may be extracted."""
    name = info.filename
    path = PurePosixPath(name)
    if name in seen:
        # Two entries of one name: which one an unzip tool keeps is not defined.
        return f"'{name}' is in the zip twice"
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"'{name}' is a symbolic link"
    if path.is_absolute() or ".." in path.parts or "\\" in name or ":" in name:
        return f"'{name}' points outside the course folder"
    if info.file_size > MAX_FILE_BYTES:
        return f"'{name}' is larger than {MAX_FILE_BYTES // 2**20} MB"
    if info.file_size > RATIO_EXEMPT_BYTES and info.file_size > MAX_RATIO * max(
        info.compress_size, 1
    ):
        return f"'{name}' unpacks to over {MAX_RATIO} times its packed size"
    return None


def _safe_members(archive: zipfile.ZipFile, label: str) -> list[tuple[zipfile.ZipInfo, str]]:
    """Every member with its path inside the course folder; refuses anything that could escape."""
    problems: list[Problem] = []
    members: list[tuple[zipfile.ZipInfo, str]] = []
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise PackageError([Problem(label, 1, f"more than {MAX_FILES} files in the zip")])
    seen: set[str] = set()
    for info in infos:
        problem = _member_problem(info, seen)
        if problem:
            problems.append(Problem(label, 1, problem))
        elif not info.is_dir():
            members.append((info, info.filename))
        seen.add(info.filename)
    if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
        problems.append(
            Problem(label, 1, f"the files add up to more than {MAX_TOTAL_BYTES // 2**20} MB")
        )
    if problems:
        raise PackageError(problems)
    return members


def unpack(data: bytes, target: Path, label: str = "package.zip") -> Path:
    """Extract a course zip safely under `target`; return the course folder it holds."""
    if len(data) > MAX_ZIP_BYTES:
        raise PackageError(
            [Problem(label, 1, f"the zip is larger than {MAX_ZIP_BYTES // 2**20} MB")]
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except DAMAGED_ZIP_ERRORS as error:
        raise PackageError([Problem(label, 1, "not a zip file, or a damaged one")]) from error
    try:
        with archive:
            return _extract(archive, target, label)
    except DAMAGED_ZIP_ERRORS as error:
        # A truncated file, a wrong checksum, an unknown compression or a password.
        raise PackageError(
            [Problem(label, 1, f"the zip is damaged and cannot be read ({error})")]
        ) from error


def _extract(archive: zipfile.ZipFile, target: Path, label: str) -> Path:
    members = _safe_members(archive, label)
    names = [name for _info, name in members]
    if COURSE_FILE in names:
        prefix = ""
    else:
        tops = {name.split("/", 1)[0] for name in names}
        if len(tops) != 1 or f"{next(iter(tops))}/{COURSE_FILE}" not in names:
            raise PackageError(
                [Problem(label, 1, f"the zip holds no course folder with a {COURSE_FILE}")]
            )
        prefix = next(iter(tops)) + "/"
    folder = target / "course"
    for info, name in members:
        if not name.startswith(prefix):
            raise PackageError([Problem(label, 1, f"'{name}' is outside the course folder")])
        destination = folder / name.removeprefix(prefix)
        destination.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, destination.open("wb") as sink:
            # Read at most what the header promised: a lying header cannot fill the disk.
            sink.write(source.read(MAX_FILE_BYTES + 1)[: MAX_FILE_BYTES + 1])
        if destination.stat().st_size > MAX_FILE_BYTES:
            raise PackageError([Problem(label, 1, f"'{name}' is too large")])
    return folder


@dataclass
class Package:
    """A course zip unpacked into a staging folder and checked, not yet loaded."""

    folder: Path
    label: str
    slug: str
    institution: str
    # Files the course does not use, left out of the import (shown to the importer).
    dropped: list[str] = field(default_factory=list)


def _authored_files(folder: Path) -> list[Path]:
    """What an author writes: lessons and quizzes, and the pages of the materials folder."""
    found = [
        path
        for path in folder.iterdir()
        if path.is_file() and (LESSON_NAME_RE.match(path.name) or QUIZ_NAME_RE.match(path.name))
    ]
    materials = folder / MATERIALS_DIR
    if materials.is_dir():
        found += [path for path in materials.iterdir() if PAGE_NAME_RE.match(path.name)]
    return found


def _used_files(folder: Path) -> set[str]:
    """The files a course consists of: its metadata, lessons, quizzes, materials and what
    they link to (links are relative to the course folder, from materials/ too)."""
    used = {COURSE_FILE, GLOSSARY_FILE, SOURCES_FILE}
    for path in _authored_files(folder):
        used.add(path.relative_to(folder).as_posix())
        text = path.read_text(encoding="utf-8", errors="replace")
        for link in outline(text).links:
            target = PurePosixPath(link.target.partition("#")[0])
            if target.parts and not target.is_absolute() and ".." not in target.parts:
                used.add(str(target))
    return used


def _drop_unused(folder: Path) -> list[str]:
    """Remove what no lesson or quiz uses: a package keeps only the course, not its baggage."""
    used = _used_files(folder)
    dropped = []
    for path in sorted(folder.rglob("*"), reverse=True):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and name not in used:
            path.unlink()
            dropped.append(name)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return sorted(dropped)


def open_package(data: bytes, root: Path, label: str = "package.zip") -> Package:
    """Unpack and check a course zip under `root` without touching the database or storage.

    Raises PackageError with every problem; nothing of the package is kept anywhere yet.
    """
    extracted = unpack(data, root, label)
    folder = staging_folder(root / "staging", "course")
    folder.rmdir()
    extracted.rename(folder)
    dropped = _drop_unused(folder)
    catalogue = check_folder(folder)
    if catalogue.errors or not catalogue.courses:
        problems = catalogue.errors or [Problem(label, 1, "the zip holds no course")]
        raise PackageError(_named(problems, folder, label))
    source = catalogue.courses[0]
    return Package(folder, label, source.slug, source.institution, dropped)


def load_package(package: Package, author_id: int | None = None) -> Course:
    """Load a checked package like a course folder; its files go live when the load commits."""
    try:
        report = sync_folder(package.folder, origin="import", author_id=author_id)
    except ContentError as error:
        raise PackageError(_named(error.problems, package.folder, package.label)) from error
    return report.courses[0]


def _named(problems: list[Problem], folder: Path, label: str) -> list[Problem]:
    return [
        Problem(f"{label}:{p.path}", p.line, p.message, p.is_warning)
        for p in inside_folder(problems, folder)
    ]


def import_zip(data: bytes, author_id: int | None = None, label: str = "package.zip") -> Course:
    """Validate the zip as `flask courses check` would and load it; all or nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        return load_package(open_package(data, Path(tmp), label), author_id)
