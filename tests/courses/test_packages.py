"""Course zips: folder -> database -> zip -> folder without loss; bad or unsafe zips refused."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth.services import seed_institutions
from app.courses import packages
from app.courses.models import Course, CourseRevision, Lesson
from app.courses.services import get_course
from app.courses.sync import sync_folder
from app.extensions import db
from app.quizzes.models import QuizItem
from tests.conftest import COURSES, empty_database

ALPHA = COURSES / "alpha"


def folder_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def zip_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def make_zip(entries: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def alpha_zip() -> dict[str, bytes]:
    return {f"alpha/{name}": data for name, data in folder_files(ALPHA).items()}


def state() -> dict:
    """What learners get from a course, without ids and timestamps."""
    course = get_course("alpha")
    lessons = db.session.scalars(select(Lesson).where(Lesson.course_id == course.id)).all()
    items = db.session.scalars(select(QuizItem).order_by(QuizItem.position)).all()
    return {
        "course": (course.slug, course.workload_hours, course.content_hash, course.institution_id),
        "texts": sorted((t.language, t.title, t.summary) for t in course.texts),
        "competences": sorted((c.competence_id, c.level) for c in course.competences),
        "lessons": sorted(
            (lesson.slug, lesson.position, t.language, t.title, t.body_markdown, t.body_html)
            for lesson in lessons
            for t in lesson.texts
        ),
        "quiz": [(item.position, item.type, item.texts) for item in items],
    }


def test_folder_to_database_to_zip_to_folder_is_identical(app, runner, tmp_path):
    with app.app_context():
        sync_folder(ALPHA)
        db.session.commit()
    output = tmp_path / "alpha.zip"
    result = runner.invoke(args=["courses", "export", "alpha", "--output", str(output)])
    assert result.exit_code == 0, result.output
    data = output.read_bytes()
    assert zip_files(data) == alpha_zip()  # text and the image, byte for byte
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(tmp_path / "out")
    assert folder_files(tmp_path / "out" / "alpha") == folder_files(ALPHA)
    # The same content always makes the same zip.
    runner.invoke(args=["courses", "export", "alpha", "--output", str(tmp_path / "again.zip")])
    assert (tmp_path / "again.zip").read_bytes() == data


def test_importing_a_zip_gives_the_state_a_folder_sync_gives(app, runner, tmp_path):
    with app.app_context():
        sync_folder(ALPHA)
        db.session.commit()
        from_folder = state()
    empty_database(app)
    with app.app_context():
        seed_institutions()
        sync_folder(COURSES / "beta")  # the framework, as the installation would have it
        db.session.commit()
    archive = tmp_path / "alpha.zip"
    archive.write_bytes(make_zip(alpha_zip()))
    result = runner.invoke(args=["courses", "import", str(archive)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert state() == from_folder
        (revision,) = db.session.scalars(select(CourseRevision).join(Course)).all()[-1:]
        assert revision.source == "import"
        # A whole-folder sync does not retire a course that came in as a zip.
        sync_folder(COURSES)
        assert get_course("alpha") is not None
        db.session.rollback()


def test_a_zip_without_a_folder_level_is_accepted(app, ctx):
    entries = {name.removeprefix("alpha/"): data for name, data in alpha_zip().items()}
    course = packages.import_zip(make_zip(entries))
    assert course.slug == "alpha"


def test_a_zip_with_bad_content_is_refused_whole(app, ctx):
    entries = alpha_zip()
    entries["alpha/02-second.sl.md"] = b"---\ntitle: Druga\n---\n# Level one\n\n![](missing.png)\n"
    with pytest.raises(packages.PackageError) as refused:
        packages.import_zip(make_zip(entries), label="alpha.zip")
    messages = [str(problem) for problem in refused.value.problems]
    assert any(m.startswith("alpha.zip:02-second.sl.md:4: ") for m in messages), messages
    assert any("no alt text" in m for m in messages), messages
    db.session.rollback()
    assert db.session.scalar(select(func.count(Course.id))) == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.md", "outside the course folder"),
        ("/etc/evil.md", "outside the course folder"),
        ("alpha/..\\evil.md", "outside the course folder"),
    ],
)
def test_paths_cannot_escape_the_folder(app, ctx, tmp_path, name, message):
    entries = {**alpha_zip(), name: b"x"}
    with pytest.raises(packages.PackageError) as refused:
        packages.unpack(make_zip(entries), tmp_path)
    assert message in str(refused.value.problems[0])
    assert not (tmp_path.parent / "evil.md").exists()


def test_links_and_oversize_files_are_refused(app, ctx, tmp_path, monkeypatch):
    with pytest.raises(packages.PackageError, match="problems"):
        packages.unpack(make_zip(alpha_zip(), links=("alpha/link.md",)), tmp_path)
    monkeypatch.setattr(packages, "MAX_FILE_BYTES", 1000)
    entries = {**alpha_zip(), "alpha/images/huge.png": b"0" * 5000}
    with pytest.raises(packages.PackageError) as refused:
        packages.unpack(make_zip(entries), tmp_path / "second")
    assert "larger than" in str(refused.value.problems[0])
    monkeypatch.setattr(packages, "MAX_ZIP_BYTES", 100)
    with pytest.raises(packages.PackageError, match="problems"):
        packages.unpack(make_zip(alpha_zip()), tmp_path / "third")


def test_the_import_command_lists_problems_and_exits_1(app, runner, tmp_path):
    archive = tmp_path / "bad.zip"
    archive.write_bytes(b"not a zip")
    result = runner.invoke(args=["courses", "import", str(archive)])
    assert result.exit_code == 1
    assert "bad.zip:1: not a zip file" in result.output
    assert "nothing was imported" in result.output
    missing = runner.invoke(args=["courses", "export", "nope", "--output", str(tmp_path / "x")])
    assert missing.exit_code != 0


def test_a_name_twice_in_the_zip_is_refused(app, ctx, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in alpha_zip().items():
            zf.writestr(name, data)
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("alpha/course.yml", b"slug: other\n")
    with pytest.raises(packages.PackageError) as refused:
        packages.unpack(buffer.getvalue(), tmp_path)
    assert "'alpha/course.yml' is in the zip twice" in str(refused.value.problems[0])
