"""Trainer assignment per course, and course zips downloaded and uploaded in the browser."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select

from app.auth.models import User
from app.courses import trainers
from app.courses.models import Course
from app.courses.services import get_course
from app.extensions import db
from tests.conftest import COURSES, csrf_token, login, post


def alpha_zip(change: tuple[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((COURSES / "alpha").rglob("*")):
            if path.is_file():
                name = path.relative_to(COURSES).as_posix()
                data = change[1] if change and change[0] == name else path.read_bytes()
                archive.writestr(name, data)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "alpha.zip"):
    return client.post(
        "/authoring/",
        data={"csrf_token": csrf_token(client, "/authoring/"), "package": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_trainers_edit_only_the_courses_they_are_assigned_to(app, client, courses, make_user):
    trainer = make_user(roles={"trainer"}, email="trainer@example.org")
    login(client, trainer)
    page = client.get("/authoring/").get_data(as_text=True)
    assert "No course is assigned to you yet" in page
    assert client.get("/authoring/courses/alpha/export.zip").status_code == 403

    login(client, make_user(roles={"admin"}))
    response = post(client, "/authoring/courses/alpha/trainers", {"email": "trainer@example.org"})
    assert response.status_code == 302
    learner = make_user(email="learner@example.org")
    response = post(client, "/authoring/courses/alpha/trainers", {"email": "learner@example.org"})
    assert "is not a trainer" in response.get_data(as_text=True)

    login(client, trainer)
    page = client.get("/authoring/").get_data(as_text=True)
    assert "/authoring/courses/alpha/export.zip" in page
    assert "/authoring/courses/beta/export.zip" not in page
    export = client.get("/authoring/courses/alpha/export.zip")
    assert export.status_code == 200
    assert export.mimetype == "application/zip"
    assert client.get("/authoring/courses/beta/export.zip").status_code == 403
    with app.app_context():
        assert trainers.can_edit(db.session.get(User, trainer), get_course("alpha"))
        assert not trainers.can_edit(db.session.get(User, learner), get_course("alpha"))

    login(client, make_user(roles={"admin"}))
    post(client, "/authoring/courses/alpha/trainers/remove", {"user_id": str(trainer)})
    login(client, trainer)
    assert client.get("/authoring/courses/alpha/export.zip").status_code == 403


def test_uploading_a_zip_imports_a_new_course_and_assigns_its_trainer(app, client, make_user):
    with app.app_context():
        from app.courses.sync import sync_folder

        sync_folder(COURSES / "beta")  # the framework
        db.session.commit()
    trainer = make_user(roles={"trainer"}, institution="bistra-ptuj")  # alpha's issuer
    login(client, trainer)
    response = upload(client, alpha_zip())
    assert response.status_code == 302
    page = client.get("/authoring/").get_data(as_text=True)
    assert "Course alpha imported." in page
    assert client.get("/authoring/courses/alpha/export.zip").status_code == 200
    with app.app_context():
        assert get_course("alpha").origin == "import"


def test_a_bad_zip_lists_its_problems_and_imports_nothing(app, client, make_user):
    login(client, make_user(roles={"admin"}))
    bad = alpha_zip(("alpha/03-third.en.md", b"---\ntitle: T\n---\n## A\n\n#### Skipped\n"))
    response = upload(client, bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "nothing was imported" in page
    assert "alpha.zip:03-third.en.md:6" in page
    assert "do not skip heading levels" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) == 0
    response = upload(client, b"not a zip", "notes.txt")
    assert "Choose a .zip file." in response.get_data(as_text=True)


def test_a_trainer_cannot_overwrite_a_course_they_do_not_look_after(
    app, client, courses, make_user
):
    login(client, make_user(roles={"trainer"}, institution="bistra-ptuj"))
    changed = alpha_zip(("alpha/course.yml", (COURSES / "alpha" / "course.yml").read_bytes()))
    refused = upload(client, changed)
    assert refused.status_code == 422
    assert "You do not look after the course alpha" in refused.get_data(as_text=True)
    with app.app_context():
        assert get_course("alpha").origin == "folder"


def test_the_demo_trainer_looks_after_their_institutions_courses(app, runner, courses):
    from app.auth.services import user_by_email

    for _ in range(2):  # idempotent: assigned once
        assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    with app.app_context():
        trainer = user_by_email("trainer@demo.2sokrog.eu")
        # beta is issued by czss-cakovec, where the demo trainer works; alpha is not.
        assert [course.slug for course in trainers.editable_courses(trainer)] == ["beta"]
