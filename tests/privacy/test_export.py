"""A person downloads everything held about them (JSON and a readable page), made by a job;
nobody else can; the CLI writes the same for a request that came by letter."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core import jobs
from app.extensions import db
from app.privacy.models import READY, DataExport
from tests.conftest import login, make_app, post
from tests.privacy.conftest import ESSAY


def _request_export(app, client, person) -> DataExport:
    login(client, person.id)
    response = post(client, "/account/data", follow_redirects=True)
    # The person chose Slovenian: the page speaks it.
    assert "Vaši podatki se pripravljajo" in response.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(DataExport).where(DataExport.user_id == person.id))
        db.session.expunge(row)
        return row


def test_a_person_downloads_everything_held_about_them(app, client, person):
    row = _request_export(app, client, person)
    assert row.status == READY  # the job ran (at once in tests)
    page = client.get("/account/data").get_data(as_text=True)
    assert f"/account/data/{row.id}.json" in page
    response = client.get(f"/account/data/{row.id}.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["email"] == person.email
    assert data["profile"]["full_name"] == "Vesna Kos"
    (attempt,) = data["attempts"]
    assert ESSAY in [answer["response"] for answer in attempt["answers"]]
    assert data["evidence"][0]["comment"] == "Knows the clients well."
    assert data["evidence"][0]["recorded_by"] == "Rater One"
    (certificate,) = data["certificates"]
    assert certificate["verification_code"] == person.certificate_code
    assert certificate["credential"]["credentialSubject"]
    assert "password-reset" in [mail["kind"] for mail in data["emails"]]
    actions = {entry["action"] for entry in data["audit"]}
    assert {"user_created", "certificate_issued"} <= actions
    # The page to read is in the person's language (Slovenian here).
    html = client.get(f"/account/data/{row.id}.html").get_data(as_text=True)
    assert "Vesna Kos" in html
    assert ESSAY in html
    assert 'lang="sl"' in html
    assert "Vaši osebni podatki" in html


def test_the_export_is_in_the_audit_trail(app, client, person):
    row = _request_export(app, client, person)
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "personal_data_exported")
        )
        assert entry.subject_id == person.id
        assert entry.object_id == row.id


def test_nobody_else_downloads_an_export(app, client, person, make_user):
    row = _request_export(app, client, person)
    for role in ((), ("admin",), ("hr",)):
        other = make_user(roles=set(role), institution="csd-lasko")
        login(client, other)
        for kind in ("json", "html"):
            assert client.get(f"/account/data/{row.id}.{kind}").status_code == 404


def test_an_export_asked_twice_while_it_is_prepared_is_made_once(app, client, person):
    login(client, person.id)
    jobs.huey.immediate = False  # no worker yet: the first request waits in the queue
    try:
        post(client, "/account/data")
        post(client, "/account/data")
        jobs.huey.flush()
    finally:
        jobs.huey.immediate = True
    with app.app_context():
        rows = db.session.scalars(select(DataExport).where(DataExport.user_id == person.id)).all()
        assert len(rows) == 1


def test_old_exports_are_deleted_with_their_files(app, client, person):
    from app.privacy.jobs import delete_old_exports

    row = _request_export(app, client, person)
    app.config["DATA_EXPORT_DAYS"] = 0
    try:
        with app.app_context():
            delete_old_exports.call_local()
            assert db.session.get(DataExport, row.id) is None
    finally:
        app.config["DATA_EXPORT_DAYS"] = 7
    login(client, person.id)
    assert client.get(f"/account/data/{row.id}.json").status_code == 404
    assert not (Path(app.config["STORAGE_DIR"]) / "exports" / str(row.id)).exists()


def test_the_cli_writes_the_export(app, runner, person, tmp_path):
    result = runner.invoke(args=["users", "export-data", person.email, "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / f"personal-data-{person.id}.json").read_text())
    assert data["profile"]["email"] == person.email
    assert "Vesna Kos" in (tmp_path / f"personal-data-{person.id}.html").read_text()
    result = runner.invoke(args=["users", "export-data", "nobody@example.org"])
    assert result.exit_code != 0
    assert "no account has the e-mail nobody@example.org" in result.output


def test_an_export_in_the_database_storage_is_downloaded_from_any_server(app, person, tmp_path):
    """STORAGE_BACKEND=database: the worker's files are read by every app server."""
    other = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other", STORAGE_BACKEND="database"
    )
    try:
        client = other.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        row = _request_export(other, client, person)
        data = json.loads(client.get(f"/account/data/{row.id}.json").data)
        assert data["profile"]["email"] == person.email
        assert not (tmp_path / "other" / "exports").exists()
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
