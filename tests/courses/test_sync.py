"""`flask courses sync` and `check`: idempotent loading, retiring, stored HTML, progress kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.courses import progress, services, sync
from app.courses.models import Course, Lesson, LessonProgress, LessonText
from app.extensions import db
from app.framework.models import Competence
from tests.conftest import COURSES


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "courses"
    shutil.copytree(COURSES, root)
    return root


def test_sync_loads_everything_and_a_second_run_changes_nothing(app, runner, tree):
    first = runner.invoke(args=["courses", "sync", str(tree)])
    assert first.exit_code == 0, first.output
    assert "created course alpha" in first.output
    assert "created lesson alpha/first" in first.output
    second = runner.invoke(args=["courses", "sync", str(tree)])
    assert second.exit_code == 0
    assert second.output.strip() == "Nothing changed."
    with app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) == 2
        assert db.session.scalar(select(func.count(LessonText.id))) == 3 * 3 + 1
        assert db.session.scalar(select(func.count(Competence.id))) == 2


def test_stored_html_is_rendered_and_links_point_at_urls(app, tree, ctx):
    sync.sync_folder(tree)
    text = db.session.scalar(
        select(LessonText).join(Lesson).where(Lesson.slug == "first", LessonText.language == "en")
    )
    assert '<a href="/courses/alpha/lessons/second#part"' in text.body_html
    image = '<img alt="A diagram of the activation process" src="/courses/alpha/files/images/'
    assert image + 'diagram.png">' in text.body_html
    assert "<table>" in text.body_html
    assert '<h2 id="section-one-en">Section one en</h2>' in text.body_html
    second = db.session.scalar(
        select(LessonText).join(Lesson).where(Lesson.slug == "second", LessonText.language == "sl")
    )
    assert 'class="admonition note"' in second.body_html
    assert 'id="part"' in second.body_html
    stored = Path(app.config["STORAGE_DIR"]) / "courses" / "alpha" / "images" / "diagram.png"
    assert not stored.exists()  # the files go live with the transaction that records them
    db.session.commit()
    assert stored.read_bytes() == (tree / "alpha" / "images" / "diagram.png").read_bytes()


def test_a_load_that_is_rolled_back_leaves_the_live_files_alone(app, tree, ctx):
    sync.sync_folder(tree)
    db.session.commit()
    live = Path(app.config["STORAGE_DIR"]) / "courses" / "alpha" / "images" / "diagram.png"
    before = live.read_bytes()
    (tree / "alpha" / "images" / "diagram.png").write_bytes(before + b"changed")
    sync.sync_folder(tree)
    db.session.rollback()
    assert live.read_bytes() == before
    staging = Path(app.config["STORAGE_DIR"]) / ".staging"
    assert not any(path.is_file() for path in staging.rglob("*"))


def test_changed_lesson_is_updated_only_there(app, runner, tree):
    runner.invoke(args=["courses", "sync", str(tree)])
    path = tree / "alpha" / "02-second.hr.md"
    path.write_text(path.read_text().replace("Second lesson body hr.", "Nova rečenica."))
    result = runner.invoke(args=["courses", "sync", str(tree)])
    assert result.exit_code == 0
    assert "updated lesson text alpha/second [hr]" in result.output
    assert "[sl]" not in result.output
    assert "[en]" not in result.output
    with app.app_context():
        html = db.session.scalar(
            select(LessonText.body_html)
            .join(Lesson)
            .where(Lesson.slug == "second", LessonText.language == "hr")
        )
        assert "Nova rečenica." in html


def test_removed_lesson_is_retired_and_progress_survives(app, runner, tree, make_user):
    runner.invoke(args=["courses", "sync", str(tree)])
    learner = make_user()
    with app.app_context():
        course = services.get_course("alpha")
        third = course.lessons[2]
        progress.complete_lesson(learner, course, third)
        db.session.commit()
        third_id = third.id
    for language in ("sl", "hr", "en"):
        (tree / "alpha" / f"03-third.{language}.md").unlink()
    result = runner.invoke(args=["courses", "sync", str(tree)])
    assert "retired lesson alpha/third" in result.output
    with app.app_context():
        lesson = db.session.get(Lesson, third_id)
        assert lesson.is_retired
        assert (
            db.session.scalar(
                select(func.count(LessonProgress.id)).where(LessonProgress.lesson_id == third_id)
            )
            == 1
        )
        assert [item.slug for item in services.active_lessons(services.get_course("alpha"))] == [
            "first",
            "second",
        ]
    shutil.copytree(COURSES / "alpha", tree / "alpha", dirs_exist_ok=True)
    result = runner.invoke(args=["courses", "sync", str(tree)])
    assert "restored lesson alpha/third" in result.output
    with app.app_context():
        assert db.session.get(Lesson, third_id).is_retired is False


def test_removed_course_is_retired_not_deleted(app, runner, tree):
    runner.invoke(args=["courses", "sync", str(tree)])
    shutil.rmtree(tree / "beta")
    result = runner.invoke(args=["courses", "sync", str(tree)])
    assert "retired course beta" in result.output
    with app.app_context():
        assert db.session.scalar(select(Course.is_retired).where(Course.slug == "beta")) is True
        assert services.get_course("beta") is None


def test_syncing_one_course_folder_leaves_the_others(app, runner, tree):
    runner.invoke(args=["courses", "sync", str(tree)])
    result = runner.invoke(args=["courses", "sync", str(tree / "alpha")])
    assert result.exit_code == 0
    with app.app_context():
        assert services.get_course("beta") is not None


def test_sync_with_errors_loads_nothing(app, runner, tree):
    (tree / "alpha" / "03-third.hr.md").unlink()
    result = runner.invoke(args=["courses", "sync", str(tree)])
    assert result.exit_code == 1
    assert "nothing was loaded" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) == 0


def test_check_prints_file_line_and_exits_1(runner, tree):
    path = tree / "alpha" / "01-first.sl.md"
    path.write_text(path.read_text().replace("02-second.md", "09-nope.md"))
    result = runner.invoke(args=["courses", "check", str(tree)])
    assert result.exit_code == 1
    assert f"{path}:8: broken internal link: no lesson 'nope'" in result.output or (
        "alpha/01-first.sl.md:8: broken internal link: no lesson 'nope'" in result.output
    )
    ok = runner.invoke(args=["courses", "check", str(COURSES)])
    assert ok.exit_code == 0, ok.output
    assert "OK: 2 courses, 4 lessons" in ok.output


def test_markdown_from_authors_is_sanitised(app, tree, ctx):
    path = tree / "alpha" / "03-third.en.md"
    path.write_text(
        path.read_text()
        + '\n<script>alert("x")</script>\n\n'
        + '<img src="images/diagram.png" alt="d" onerror="alert(1)">\n'
        + '\n[click](https://example.org){: onclick="alert(1)" }\n'
    )
    sync.sync_folder(tree)
    html = db.session.scalar(
        select(LessonText.body_html)
        .join(Lesson)
        .where(Lesson.slug == "third", LessonText.language == "en")
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert 'href="https://example.org"' in html


def test_check_works_before_the_database_exists(tmp_path):
    from app import create_app

    url = f"sqlite:///{tmp_path / 'none.db'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": str(tmp_path)})
    result = app.test_cli_runner().invoke(args=["courses", "check", str(COURSES)])
    assert result.exit_code == 0, result.output
    assert "OK: 2 courses" in result.output
    sync = app.test_cli_runner().invoke(args=["courses", "sync", str(COURSES)])
    assert sync.exit_code == 1
    with app.app_context():
        db.engine.dispose()
