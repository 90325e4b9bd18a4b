"""Accounts in bulk from a CSV file: `flask users import` and the administrators' upload; each
kind of bad file refused with its line numbers and nothing written; invitations once."""

from __future__ import annotations

import html as html_module
import io
import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core.mail import MailMessage
from app.extensions import db
from tests.conftest import login, post

GOOD = (
    "\ufeffe-mail;name;job role;role;language\n"
    "ana.novak@example.org;Ana Novak;social-worker-csd;;sl\n"
    "marko.simic@example.org;Marko Šimić;;hr trainer;hr\n"
    "\n"
    "Bo@Example.org;Bo Brown;socialni DELAVEC;;en\n"
)


def _write(tmp_path, text: str, encoding: str = "utf-8", name: str = "people.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def _users(app) -> dict[str, User]:
    with app.app_context():
        return {user.email: user for user in db.session.scalars(select(User))}


def _import(runner, path: str, *options: str):
    return runner.invoke(args=["users", "import", path, "--institution", "csd-lasko", *options])


def test_the_command_reports_each_line_then_creates_updates_and_invites_once(
    app, runner, courses, make_user, inbox, tmp_path
):
    existing = make_user(email="ana.novak@example.org", full_name="Ana Old", language="hr")
    path = _write(tmp_path, GOOD)
    dry = _import(runner, path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "line 2: update ana.novak@example.org: Changes: name, job role." in dry.output
    assert "line 3: create marko.simic@example.org" in dry.output
    assert "line 5: create bo@example.org" in dry.output  # the blank line 4 is skipped
    assert "Dry run, nothing written: 2 to create, 1 to update" in dry.output
    assert set(_users(app)) == {"ana.novak@example.org"}
    assert not inbox.wait(1, timeout=0.5)

    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    assert "2 created (invited), 1 updated, 0 deactivated." in result.output
    users = _users(app)
    assert users["ana.novak@example.org"].id == existing
    assert users["ana.novak@example.org"].full_name == "Ana Novak"
    assert users["ana.novak@example.org"].language == "hr"  # their own choice stays
    assert users["ana.novak@example.org"].job_role.code == "social-worker-csd"
    marko = users["marko.simic@example.org"]
    assert marko.roles == {"learner", "hr", "trainer"}
    assert marko.language == "hr"
    assert not marko.password_hash  # invited, never typed
    assert users["bo@example.org"].job_role.code == "social-worker-csd"  # by its name
    messages = inbox.wait(2)
    assert sorted(str(m["To"]) for m in messages) == [
        "Bo Brown <bo@example.org>",
        "Marko Šimić <marko.simic@example.org>",
    ]
    # The same file again: nothing to do, and nobody is invited twice.
    again = _import(runner, path)
    assert "0 created (invited), 0 updated" in again.output
    assert "line 3: unchanged marko.simic@example.org" in again.output
    assert len(inbox.wait(3, timeout=1)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 2


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (GOOD.replace("\ufeff", ""), "cp1250", "The file is not in UTF-8 (line 3)"),
        ("e-mail,name,role\na@example.org,A,\n", "utf-8",
         "these are missing: job role, language"),
        ("e-mail,name,job role,role,language\n", "utf-8", "The file has no rows under its header"),
        ("", "utf-8", "The file is empty"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_refused_whole(
    app, runner, courses, tmp_path, text, encoding, expected
):
    result = _import(runner, _write(tmp_path, text, encoding))
    assert result.exit_code != 0
    assert expected in result.output
    assert set(_users(app)) == set()


def test_bad_lines_are_reported_with_their_numbers_and_nothing_is_written(
    app, runner, courses, make_user, tmp_path
):
    make_user(email="taken@example.org", institution="czss-cakovec")
    make_user(email="keep@example.org")
    text = (
        "email,name,job_role,role,language\n"
        "one@example.org,One,,,\n"
        "two@example.org,Two,no-such-role,,\n"
        "three@example.org,Three,,boss,\n"
        "ONE@example.org,One Again,,,\n"
        "not-an-address,Four,,,\n"
        "five@example.org,,,,xx\n"
        "taken@example.org,Taken,,,\n"
    )
    result = _import(runner, _write(tmp_path, text), "--deactivate-missing")
    assert result.exit_code != 0
    output = result.output
    assert "line 2: error one@example.org: The same e-mail address is on line 5." in output
    assert "line 5: error one@example.org: The same e-mail address is on line 2." in output
    assert "line 3: error two@example.org: Unknown job role “no-such-role”." in output
    assert "line 4: error three@example.org: Unknown role “boss”" in output
    assert "line 6: error not-an-address: “not-an-address” is not an e-mail address." in output
    assert "The name is missing." in output
    assert "Unknown language “xx”" in output
    assert "line 8: error taken@example.org: This address belongs to an account of another" in (
        output
    )
    assert "7 line(s) with errors" in output
    assert "nothing was imported" in output
    users = _users(app)
    assert set(users) == {"taken@example.org", "keep@example.org"}
    assert users["keep@example.org"].is_active  # --deactivate-missing did nothing either


def test_deactivate_missing_keeps_history_and_an_admin_reactivates(
    app, runner, client, courses, make_user, tmp_path
):
    admin = make_user(roles={"admin"}, email="admin@example.org")
    gone = make_user(email="gone@example.org", full_name="Gone Person")
    make_user(email="elsewhere@example.org", institution="czss-cakovec")
    text = "e-mail,name,job role,role,language\nadmin@example.org,Admin,,admin,en\n"
    result = _import(runner, _write(tmp_path, text), "--deactivate-missing")
    assert result.exit_code == 0, result.output
    assert "not in file: deactivate gone@example.org" in result.output
    users = _users(app)
    assert not users["gone@example.org"].is_active
    assert users["elsewhere@example.org"].is_active  # another institution's
    login(client, admin)
    page = client.get("/admin/users?q=gone").get_data(as_text=True)
    assert f"/admin/users/{gone}/reactivate" in page
    response = post(client, f"/admin/users/{gone}/reactivate")
    assert response.status_code == 302
    assert "Gone Person can log in again." in client.get("/admin/users").get_data(as_text=True)
    assert _users(app)["gone@example.org"].is_active
    assert post(client, f"/admin/users/{gone}/reactivate", {"csrf_token": ""}).status_code == 400


def _upload(client, text: bytes, deactivate: bool = False, institution: int | None = None):
    data = {"file": (io.BytesIO(text), "people.csv"), "submit": "1"}
    if institution is not None:
        data["institution_id"] = str(institution)
    if deactivate:
        data["deactivate_missing"] = "y"
    return post(client, "/admin/users/import", data, content_type="multipart/form-data")


def _institution_id(app, slug: str = "csd-lasko") -> int:
    from app.auth.services import institution_by_slug

    with app.app_context():
        return institution_by_slug(slug).id


def test_the_admin_upload_previews_then_imports_on_confirmation(
    app, client, courses, make_user, inbox
):
    login(client, make_user(roles={"admin"}))
    page = _upload(client, GOOD.encode(), institution=_institution_id(app))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ready to import: 3 to create, 0 to update, 0 unchanged, 0 to deactivate." in html
    assert re.search(r"<td>5</td>\s*<td>bo@example.org</td>", html)  # the file's line number
    assert "bo@example.org" not in _users(app)  # nothing written by the preview
    report = html.split('id="report"')[1]
    form = re.search(r'enctype="multipart/form-data" novalidate>(.*?)</form>', report, re.S)
    form = form.group(1)
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form))
    fields["text"] = re.search(r'name="text"[^>]*value="([^"]*)"', form, re.S).group(1)
    fields = {name: html_module.unescape(value) for name, value in fields.items()}
    fields["confirm"] = "1"
    # The same confirmation with the file changed behind the preview's back: refused.
    tampered = dict(fields, text=fields["text"].replace("Bo Brown", "Eve Evil"))
    refused = post(client, "/admin/users/import", tampered, follow_redirects=True)
    assert "The accounts have changed since the file was checked" in refused.get_data(as_text=True)
    assert "bo@example.org" not in _users(app)
    done = post(client, "/admin/users/import", fields, follow_redirects=True,
                content_type="multipart/form-data")  # fmt: skip
    assert "Imported: 3 accounts created and invited, 0 updated, 0 deactivated." in (
        done.get_data(as_text=True)
    )
    assert {"ana.novak@example.org", "marko.simic@example.org", "bo@example.org"} <= set(
        _users(app)
    )
    assert len(inbox.wait(3)) == 3


def test_an_upload_with_errors_shows_them_and_offers_no_import(app, client, courses, make_user):
    admin = make_user(roles={"admin"}, email="me@example.org")
    login(client, admin)
    text = "e-mail,name,job role,role,language\nme@example.org,Me,,,\nx@example.org,X,,,\n"
    html = _upload(client, text.encode(), institution=_institution_id(app)).get_data(as_text=True)
    assert "1 line has an error. Nothing will be imported" in html
    assert "You cannot remove your own administrator access." in html
    assert 'name="confirm"' not in html
    bad = _upload(client, "e-mail,name\nč,š\n".encode("cp1250"), institution=_institution_id(app))
    assert "The file is not in UTF-8 (line 2)" in bad.get_data(as_text=True)
    assert "x@example.org" not in _users(app)


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("Simic", {"Marko Šimić", "Ivana Simic"}),
        ("šimić", {"Marko Šimić", "Ivana Simic"}),
        ("CEBASEK", {"Živa Čebašek"}),
        ("Đurić", {"Đuro Đurić", "Petar Djurić", "Ana Durić"}),
        ("djuric", {"Đuro Đurić", "Petar Djurić"}),
        ("Džafić", {"Emir Džafić"}),
        ("100%", set()),
    ],
)
def test_the_user_search_ignores_diacritics_both_ways(app, client, make_user, term, found):
    login(client, make_user(roles={"admin"}, full_name="Admin Person"))
    names = ["Marko Šimić", "Ivana Simic", "Živa Čebašek", "Đuro Đurić", "Petar Djurić",
             "Ana Durić", "Emir Džafić", "Zoran Zec"]  # fmt: skip
    for name in names:
        make_user(full_name=name)
    page = client.get("/admin/users", query_string={"q": term}).get_data(as_text=True)
    assert {name for name in names if name in page} == found


def test_the_search_text_follows_a_renamed_account(app, client, make_user):
    admin = make_user(roles={"admin"})
    user = make_user(full_name="Old Name", email="old@example.org")
    with app.app_context():
        person = db.session.get(User, user)
        person.full_name = "Nada Kovačević"
        person.email = "nada@example.org"
        db.session.commit()
        assert person.search_text == "nada kovacevic nada@example.org"
    login(client, admin)
    page = client.get("/admin/users?q=kovacev").get_data(as_text=True)
    assert "Nada Kovačević" in page
    assert "Old Name" not in client.get("/admin/users?q=old").get_data(as_text=True)
