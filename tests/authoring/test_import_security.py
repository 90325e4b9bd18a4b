"""Zip import as an insider would try it: another issuer, another's draft, files that are not
used, bombs and damaged zips; refused before anything is written."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from sqlalchemy import select

from app.authoring.models import CourseDraft
from app.courses.models import CourseRevision
from app.courses.services import get_course
from app.extensions import db
from tests.authoring.test_authoring import upload
from tests.conftest import COURSES, assign_trainer, login

ALPHA_YML = (COURSES / "alpha" / "course.yml").read_text(encoding="utf-8")


def course_zip(slug: str = "alpha", yml: str = ALPHA_YML, extra: dict | None = None) -> bytes:
    """The alpha test course as a zip, under `slug`, with course.yml and extra files changed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((COURSES / "alpha").rglob("*")):
            if path.is_file():
                name = f"{slug}/{path.relative_to(COURSES / 'alpha').as_posix()}"
                data = path.read_bytes()
                if path.relative_to(COURSES / "alpha").as_posix() in (extra or {}):
                    continue  # replaced below
                if path.name == "course.yml":
                    data = yml.replace("slug: alpha", f"slug: {slug}").encode()
                archive.writestr(name, data)
        for name, data in (extra or {}).items():
            archive.writestr(f"{slug}/{name}", data)
    return buffer.getvalue()


def live_file(app, slug: str, name: str) -> Path:
    return Path(app.config["STORAGE_DIR"]) / "courses" / slug / name


def test_a_trainer_cannot_change_the_issuer_by_package(app, client, courses, make_user):
    trainer = make_user(roles={"trainer"}, institution="bistra-ptuj")
    assign_trainer(app, trainer, "alpha")
    login(client, trainer)
    forged = ALPHA_YML.replace("institution: bistra-ptuj", "institution: zrsz")
    response = upload(client, course_zip(yml=forged))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is issued by bistra-ptuj, but the package names zrsz" in page
    with app.app_context():
        assert get_course("alpha").institution.slug == "bistra-ptuj"


def test_a_trainers_new_course_is_issued_by_their_own_institution(app, client, courses, make_user):
    login(client, make_user(roles={"trainer"}, institution="csd-lasko"))
    response = upload(client, course_zip("gamma"))  # names bistra-ptuj
    assert response.status_code == 422
    assert "A new course is issued by your own institution" in response.get_data(as_text=True)
    own = ALPHA_YML.replace("institution: bistra-ptuj", "institution: csd-lasko")
    assert upload(client, course_zip("gamma", own)).status_code == 302
    with app.app_context():
        assert get_course("gamma").institution.slug == "csd-lasko"


def test_only_an_admin_of_the_new_issuer_moves_a_course(app, client, courses, make_user):
    moved = ALPHA_YML.replace("institution: bistra-ptuj", "institution: zrsz")
    login(client, make_user(roles={"admin"}, institution="bistra-ptuj"))
    assert upload(client, course_zip(yml=moved)).status_code == 422
    login(client, make_user(roles={"admin"}, institution="zrsz"))
    assert upload(client, course_zip(yml=moved)).status_code == 302
    with app.app_context():
        assert get_course("alpha").institution.slug == "zrsz"


def test_nothing_is_written_before_the_rights_are_checked(app, client, courses, make_user):
    image = live_file(app, "alpha", "images/diagram.png")
    before = image.read_bytes()
    login(client, make_user(roles={"trainer"}, institution="bistra-ptuj"))  # not alpha's trainer
    package = course_zip(extra={"images/diagram.png": b"\x89PNG replaced by an outsider"})
    assert upload(client, package).status_code == 422
    assert image.read_bytes() == before
    with app.app_context():
        revisions = db.session.scalars(select(CourseRevision.number)).all()
    staging = Path(app.config["STORAGE_DIR"]) / ".staging"
    assert not any(path.is_file() for path in staging.rglob("*"))
    assert len(revisions) == 2  # alpha and beta as loaded, nothing from the refused zip


def test_an_import_cannot_take_over_another_authors_new_course(app, client, courses, make_user):
    author = make_user(roles={"trainer"}, institution="bistra-ptuj")
    login(client, author)
    client.post(
        "/authoring/new",
        data={
            "csrf_token": __import__("tests.conftest", fromlist=["x"]).csrf_token(
                client, "/authoring/new"
            ),
            "slug": "delta",
            "title": "Delta",
            "source_language": "sl",
            "translations": [],
        },
    )
    with app.app_context():
        draft = db.session.scalar(select(CourseDraft).where(CourseDraft.slug == "delta"))
        assert draft is not None
        files = dict(draft.files)
    login(client, make_user(roles={"trainer"}, institution="bistra-ptuj"))
    response = upload(client, course_zip("delta"))
    assert response.status_code == 422
    assert "is being written in the editor" in response.get_data(as_text=True)
    with app.app_context():
        draft = db.session.scalar(select(CourseDraft).where(CourseDraft.slug == "delta"))
        assert dict(draft.files) == files
        assert get_course("delta") is None


def test_files_the_course_does_not_use_are_left_out(app, client, courses, make_user):
    trainer = make_user(roles={"trainer"}, institution="bistra-ptuj")
    assign_trainer(app, trainer, "alpha")
    login(client, trainer)
    junk = {f"junk/{number}.png": os.urandom(85_000) for number in range(40)}
    junk["notes.md"] = b"# Private notes of the author\n"
    response = upload(client, course_zip(extra=junk))
    assert response.status_code == 302
    page = client.get("/authoring/").get_data(as_text=True)
    assert "Files no lesson or quiz uses were left out" in page
    with app.app_context():
        revision = db.session.scalar(
            select(CourseRevision)
            .where(CourseRevision.course_id == get_course("alpha").id)
            .order_by(CourseRevision.number.desc())
        )
        assert "notes.md" not in revision.files
        assert not any(name.startswith("junk/") for name in revision.assets)
        assert "images/diagram.png" in revision.assets
    assert not live_file(app, "alpha", "junk/1.png").exists()


def test_a_zip_bomb_and_damaged_zips_get_a_clear_message(app, client, courses, make_user):
    login(client, make_user(roles={"admin"}, institution="bistra-ptuj"))
    bomb = course_zip(extra={"images/big.png": b"\x00" * 4_000_000})
    response = upload(client, bomb)
    assert response.status_code == 422
    assert "unpacks to over 100 times its packed size" in response.get_data(as_text=True)
    whole = course_zip()
    for damaged in (whole[: len(whole) // 2], whole[:-30], b"PK\x03\x04" + b"\x00" * 60):
        response = upload(client, damaged)
        assert response.status_code == 422
        assert "damaged" in response.get_data(as_text=True)
    flipped = bytearray(whole)
    flipped[200] ^= 0xFF  # inside the first member's compressed data: a checksum error
    response = upload(client, bytes(flipped))
    assert response.status_code == 422


def test_the_materials_of_a_course_are_kept(app, client, courses, make_user):
    trainer = make_user(roles={"trainer"}, institution="bistra-ptuj")
    assign_trainer(app, trainer, "alpha")
    login(client, trainer)
    # A changed course.yml makes a new revision, from the package as the import kept it.
    assert upload(client, course_zip(yml=ALPHA_YML + "# imported again\n")).status_code == 302
    with app.app_context():
        revision = db.session.scalar(
            select(CourseRevision)
            .where(CourseRevision.course_id == get_course("alpha").id)
            .order_by(CourseRevision.number.desc())
        )
        kept = set(revision.files) | set(revision.assets)
        assert revision.source == "import"
    authored = {
        path.relative_to(COURSES / "alpha").as_posix()
        for path in (COURSES / "alpha").rglob("*")
        if path.is_file()
    }
    assert authored == kept
