"""The audit trail: acts are recorded from the domain events, chained by hash, verified by
`flask audit verify`, refused changes on PostgreSQL, and shown to an institution's admins."""

from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.audit import chain
from app.audit.models import AuditEntry, AuditHead
from app.auth.models import User
from app.auth.services import institution_by_slug, set_role
from app.certificates.keys import active_key, compromise
from app.certificates.services import issue, revoke
from app.competences.models import Evidence
from app.competences.services import EvidenceInput, record_evidence, supersede
from app.courses.services import get_course
from app.extensions import db
from app.framework.models import Competence
from app.quizzes.models import AttemptAnswer
from app.quizzes.services import grading, quiz_for_course, start_attempt, submit_attempt
from tests.conftest import PASSWORD, at_once, csrf_token, login, post


def _entries(app, action: str | None = None) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.seq)
        if action:
            query = query.where(AuditEntry.action == action)
        entries = list(db.session.scalars(query))
        db.session.expunge_all()
        return entries


def _login_form(client, email: str, password: str):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def test_logins_failed_logins_and_role_changes_are_recorded(app, client, make_user):
    person = make_user(email="mia@example.org")
    _login_form(client, "mia@example.org", "wrong password 123")
    _login_form(client, "nobody@example.org", "wrong password 123")
    _login_form(client, "mia@example.org", PASSWORD)
    failed = _entries(app, "login_failed")
    assert [(entry.subject_id, json.loads(entry.details)["reason"]) for entry in failed] == [
        (person, "password"),
        (None, "unknown"),
    ]
    # The address typed or the password never reaches the trail.
    assert all("wrong password" not in entry.details for entry in _entries(app))
    assert all("nobody@example.org" not in entry.details for entry in _entries(app))
    assert [entry.subject_id for entry in _entries(app, "login")] == [person]
    with app.app_context():
        admin = make_user(roles={"admin"})
        set_role(db.session.get(User, person), "trainer", True, by_id=admin)
        db.session.commit()
    changed = _entries(app, "roles_changed")[-1]
    assert (changed.actor_id, changed.subject_id) == (admin, person)
    assert json.loads(changed.details) == {"added": ["trainer"], "removed": []}


def test_certificates_and_keys_are_recorded(app, courses, make_user):
    learner = make_user()
    admin = make_user(roles={"admin"}, institution="czss-cakovec")
    with app.app_context():
        certificate, _ = issue(db.session.get(User, learner), get_course("beta"))
        db.session.commit()
        revoke(certificate, db.session.get(User, admin), "Issued in error.")
        db.session.commit()
        certificate_id = certificate.id
    issued = _entries(app, "certificate_issued")[-1]
    assert (issued.subject_id, issued.object_type, issued.object_id) == (
        learner,
        "certificate",
        certificate_id,
    )
    revoked = _entries(app, "certificate_revoked")[-1]
    assert (revoked.actor_id, revoked.subject_id) == (admin, learner)
    # `courses` made every institution's first key.
    assert len(_entries(app, "key_created")) >= 1


def test_a_rolled_back_act_leaves_no_entry(app, make_user):
    person = make_user()
    before = len(_entries(app))
    with app.app_context():
        set_role(db.session.get(User, person), "trainer", True)
        db.session.rollback()
    assert len(_entries(app)) == before


def test_the_chain_links_every_entry_and_verify_says_intact(app, runner, make_user):
    for _ in range(3):
        make_user(roles={"trainer"})
    entries = _entries(app)
    assert [entry.seq for entry in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{len(entries)} entries, chain intact" in result.output


def _tamper(app, statement: str) -> None:
    """What someone with database access could do behind the application's back."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # Only a superuser can switch the trigger off, and only like this.
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
        db.session.execute(text(statement))
        db.session.commit()


def test_verify_finds_a_changed_entry(app, runner, make_user):
    for _ in range(3):
        make_user()
    victim = _entries(app)[1]
    _tamper(app, f"UPDATE audit_entry SET subject_id = 999 WHERE seq = {victim.seq}")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"entry {victim.seq}: its content was changed" in result.output


def test_verify_finds_a_deleted_entry_and_a_deleted_last_entry(app, runner, make_user):
    for _ in range(3):
        make_user()
    entries = _entries(app)
    _tamper(app, f"DELETE FROM audit_entry WHERE seq = {entries[1].seq}")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"entries {entries[1].seq} to {entries[1].seq} are missing" in result.output
    _tamper(app, f"DELETE FROM audit_entry WHERE seq = {entries[-1].seq}")
    result = runner.invoke(args=["audit", "verify"])
    assert f"the head names entry {entries[-1].seq}" in result.output


def test_a_rewritten_chain_is_caught_by_its_head(app, runner, make_user):
    """Whoever recomputes the hashes after a change still leaves the head's hash behind."""
    for _ in range(2):
        make_user()
    with app.app_context():
        last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()))
        forged = {**chain.content_of(last), "subject_id": 12345}
        digest = chain.entry_hash(last.prev_hash, forged)
        seq = last.seq
    _tamper(app, f"UPDATE audit_entry SET subject_id = 12345, hash = '{digest}' WHERE seq = {seq}")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "the head names" in result.output


def test_postgresql_refuses_to_change_or_delete_entries(app, make_user):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the trigger is PostgreSQL's; SQLite (development) has the chain alone")
    make_user()
    for statement in (
        "UPDATE audit_entry SET action = 'x'",
        "DELETE FROM audit_entry",
        "TRUNCATE audit_entry",
    ):
        with app.app_context():
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
    assert len(_entries(app)) >= 1


def test_concurrent_writers_do_not_fork_the_chain(app, runner):
    """Threads appending at once on both backends: one sequence, one chain, no lost entry."""
    threads, each = 6, 5

    def work(index: int) -> None:
        for number in range(each):
            with app.app_context():
                chain.record("login", subject_id=index * 100 + number)
                db.session.commit()

    errors = at_once(threads, work)
    assert not errors, errors
    entries = _entries(app, "login")
    assert sorted(entry.subject_id for entry in entries) == sorted(
        index * 100 + number for index in range(threads) for number in range(each)
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        head = db.session.get(AuditHead, chain.HEAD_ID)
        assert head.seq == len(_entries(app))


def test_admins_see_their_own_institutions_trail_and_filter_it(app, client, courses, make_user):
    ours = make_user(full_name="Own Person", institution="czss-cakovec")
    theirs = make_user(full_name="Other Person", institution="csd-lasko")
    admin = make_user(roles={"admin"}, institution="czss-cakovec")
    with app.app_context():
        issue(db.session.get(User, ours), get_course("beta"))
        db.session.commit()
    login(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Own Person" in page
    assert "Certificate issued" in page
    assert "Other Person" not in page
    page = client.get("/admin/audit?action=certificate_issued").get_data(as_text=True)
    assert "Certificate issued" in page
    assert "Account created</td>" not in page
    page = client.get(f"/admin/audit?person={theirs}").get_data(as_text=True)
    assert "No entry matches." in page
    # Nonsense filters are ignored, never an error.
    response = client.get("/admin/audit?action=drop&person=x&since=yesterday&until=2026-13-40")
    assert response.status_code == 200


def test_an_admin_page_act_is_recorded_with_its_actor(app, client, make_user):
    admin = make_user(roles={"admin"})
    person = make_user()
    login(client, admin)
    response = post(client, f"/admin/users/{person}/deactivate")
    assert response.status_code == 302
    entry = _entries(app, "user_deactivated")[-1]
    assert (entry.actor_id, entry.subject_id) == (admin, person)


def test_grades_evidence_publishing_and_key_compromise_are_recorded(app, courses, make_user):
    learner = make_user()
    trainer = make_user(roles={"trainer"})
    admin = make_user(roles={"admin"}, institution="czss-cakovec")
    # `courses` loaded the test courses: each is a published revision.
    published = _entries(app, "course_published")
    assert published
    assert {entry.object_type for entry in published} == {"course"}
    with app.app_context():
        attempt = start_attempt(learner, quiz_for_course(get_course("alpha").id), "en")
        submit_attempt(attempt, {5: "An essay."})
        essay = db.session.scalar(
            select(AttemptAnswer).where(
                AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.needs_grading.is_(True)
            )
        )
        grading.grade_answer(essay, trainer, 0.5, "Good start.")
        db.session.commit()
        essay_id = essay.id
    graded = _entries(app, "essay_graded")[-1]
    assert (graded.actor_id, graded.subject_id, graded.object_id) == (trainer, learner, essay_id)
    assert json.loads(graded.details)["fraction"] == 0.5
    assert "Good start." not in graded.details  # the comment stays with the answer
    assert _entries(app, "attempt_graded")[-1].subject_id == learner
    with app.app_context():
        rating = _rating(learner)
        supersede(db.session.get(Evidence, rating), 3, trainer, "Second look.")
        db.session.commit()
    assert _entries(app, "evidence_added")[-1].object_id == rating
    corrected = _entries(app, "evidence_superseded")[-1]
    assert (corrected.actor_id, json.loads(corrected.details)["supersedes_id"]) == (trainer, rating)
    with app.app_context():
        key = active_key(institution_by_slug("czss-cakovec").id)
        compromise(key, "The laptop was stolen.", by_id=admin)
        db.session.commit()
        key_id = key.id
    actions = {(entry.action, entry.object_id) for entry in _entries(app)}
    assert ("key_compromised", key_id) in actions
    assert _entries(app, "key_created")[-1].actor_id == admin  # its replacement


def _rating(learner: int) -> int:
    competence = db.session.scalar(select(Competence.id))
    (row,) = record_evidence([EvidenceInput(learner, competence, 2, "rating")])
    db.session.flush()
    return row.id


def test_single_sign_on_and_hr_loads_are_recorded_without_personal_details(app, make_user):
    from app.core import events

    admin = make_user(roles={"admin"}, institution="csd-lasko")
    with app.app_context():
        lasko = institution_by_slug("csd-lasko").id
        events.sso_login_refused.send(
            None, institution_id=lasko, reason="email-unverified", detail="claim false",
            email="someone@example.org", user_id=None,
        )  # fmt: skip
        events.sso_settings_changed.send(
            None, institution_id=lasko, by_id=admin, changes=["client_secret", "issuer"]
        )
        events.users_synced.send(
            None, institution_id=lasko, created=["a@example.org", "b@example.org"],
            updated=[], deactivated=["c@example.org"],
        )  # fmt: skip
        db.session.commit()
    (refused,) = _entries(app, "sso_login_refused")
    assert refused.institution_id == lasko
    assert "someone@example.org" not in refused.details
    assert json.loads(refused.details) == {"reason": "email-unverified"}
    (settings,) = _entries(app, "sso_settings_changed")
    assert settings.actor_id == admin
    assert json.loads(settings.details)["changes"] == ["client_secret", "issuer"]
    (synced,) = _entries(app, "users_synced")
    assert json.loads(synced.details) == {"created": 2, "updated": 0, "deactivated": 1}
