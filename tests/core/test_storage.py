"""The file store: a local folder or the database, with the same behaviour for every caller."""

from __future__ import annotations

import pytest

from app.auth.services import seed_institutions
from app.core.storage import BadKey, DatabaseStorage, LocalStorage, storage
from app.courses.sync import sync_folder
from app.extensions import db
from tests.conftest import COURSES, empty_database, make_app


@pytest.fixture(params=["local", "database"])
def store_app(request, app, tmp_path):
    app.config["STORAGE_BACKEND"] = request.param
    from app.core import storage as module

    module.init_app(app)
    return app


def test_both_backends_keep_read_replace_and_delete_files(store_app):
    with store_app.app_context():
        files = storage()
        assert isinstance(files, LocalStorage | DatabaseStorage)
        assert files.read("a/b.txt") is None
        files.write("a/b.txt", b"one")
        files.write("a/b.txt", b"two")  # replaced, not added
        files.write("a/c/d.bin", b"\x00\xff")
        db.session.commit()
        assert files.read("a/b.txt") == b"two"
        assert files.exists("a/c/d.bin")
        files.delete("a/b.txt")
        files.delete("a/b.txt")  # deleting what is gone is no error
        db.session.commit()
        assert not files.exists("a/b.txt")
        files.delete_prefix("a")
        db.session.commit()
        assert files.read("a/c/d.bin") is None


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../secret", "a/../../b", "a\\b", "a\x00b"])
def test_no_key_leaves_the_store(store_app, key):
    with store_app.app_context(), pytest.raises(BadKey):
        storage().write(key, b"x")


def test_a_file_written_on_commit_follows_the_transaction(store_app):
    with store_app.app_context():
        files = storage()
        files.write_on_commit("t/rolled-back.txt", b"no")
        db.session.rollback()
        assert files.read("t/rolled-back.txt") is None
        files.write_on_commit("t/kept.txt", b"yes")
        db.session.commit()
        assert files.read("t/kept.txt") == b"yes"


def test_course_files_are_served_from_the_database_with_validators(tmp_path, database_urls):
    """A second app server with no shared disk serves the course's images."""
    url = database_urls["sqlite"]
    writer = make_app(url, tmp_path / "one", STORAGE_BACKEND="database")
    reader = make_app(url, tmp_path / "two", STORAGE_BACKEND="database")
    try:
        with writer.app_context():
            seed_institutions()
            sync_folder(COURSES)
            db.session.commit()
        client = reader.test_client()
        response = client.get("/courses/alpha/files/images/diagram.png")
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        assert response.data == (COURSES / "alpha" / "images" / "diagram.png").read_bytes()
        again = client.get(
            "/courses/alpha/files/images/diagram.png",
            headers={"If-None-Match": response.headers["ETag"]},
        )
        assert again.status_code == 304
        assert client.get("/courses/alpha/files/../../../etc/passwd").status_code == 404
        assert client.get("/courses/alpha/files/images/missing.png").status_code == 404
        assert not (tmp_path / "two" / "courses").exists()  # nothing on the reader's disk
    finally:
        empty_database(writer)
