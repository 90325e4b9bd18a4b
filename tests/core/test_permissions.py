"""Every view states who may use it, and each role gets exactly the access it should."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.conftest import csrf_token, login

ROLES = ("anonymous", "learner", "trainer", "assessor", "hr", "admin")
LOGIN_REDIRECT = 302

# endpoint: (method, path, {role: expected status})
LEARNER_PAGE = {**dict.fromkeys(ROLES, 200), "anonymous": LOGIN_REDIRECT}
ADMIN_PAGE = {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN_REDIRECT, "admin": 200}
PUBLIC_PAGE = dict.fromkeys(ROLES, 200)
# Done and redirected; the anonymous visitor is redirected to the login page instead.
REDIRECTED = dict.fromkeys(ROLES, 302)
LOGGED_IN_REDIRECT = {**REDIRECTED, "anonymous": 200}
OWNER_ONLY = {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN_REDIRECT}
TRAINER_PAGE = {**ADMIN_PAGE, "trainer": 200}
HR_PAGE = {**ADMIN_PAGE, "hr": 200}
RATER_PAGE = {**HR_PAGE, "trainer": 200, "assessor": 200}
# Someone else's certificate: their HR (same institution) and admins; others learn nothing (404).
# A change only administrators (and the course's own trainers) make, then redirected.
ADMIN_DONE = {**ADMIN_PAGE, "admin": 302}
# A change HR make for their own institution (and administrators for any), then redirected.
HR_DONE = {**ADMIN_DONE, "hr": 302}
# A link with a token that is not valid: a page that says so, for everyone.
INVALID_LINK = dict.fromkeys(ROLES, 400)
# Nothing there to act on: the administrator learns so; the others are refused first.
ADMIN_MISSING = {**ADMIN_PAGE, "admin": 404}
NOT_THEIRS = {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN_REDIRECT}
# Another person's export of czss-cakovec: the administrators of czss-cakovec see it; HR of
# another institution learn nothing (404); the other roles are refused first.
EXPORT = {**HR_PAGE, "hr": 404}
# An address of nothing configured (an institution without single sign-on): not found for all.
NOT_FOUND = dict.fromkeys(ROLES, 404)
SCOPED = {**dict.fromkeys(ROLES, 404), "anonymous": LOGIN_REDIRECT, "hr": 200, "admin": 200}
MATRIX = {
    "healthz": ("GET", "/healthz", PUBLIC_PAGE),
    "readyz": ("GET", "/readyz", PUBLIC_PAGE),
    "courses.catalogue": ("GET", "/courses/", PUBLIC_PAGE),
    "courses.course": ("GET", "/courses/alpha/", PUBLIC_PAGE),
    "courses.course_file": ("GET", "/courses/alpha/files/images/diagram.png", PUBLIC_PAGE),
    "courses.page": ("GET", "/courses/alpha/pages/glossary", PUBLIC_PAGE),
    "courses.download_page": ("GET", "/courses/alpha/pages/form/download", PUBLIC_PAGE),
    "courses.lesson": ("GET", "/courses/alpha/lessons/first", LEARNER_PAGE),
    "courses.my_learning": ("GET", "/my/learning", LEARNER_PAGE),
    "courses.enrol": ("POST", "/courses/alpha/enrol", REDIRECTED),
    "courses.complete": ("POST", "/courses/alpha/lessons/first/complete", REDIRECTED),
    "home.dashboard": ("GET", "/", {**PUBLIC_PAGE, "anonymous": 302}),
    "home.accessibility": ("GET", "/accessibility", PUBLIC_PAGE),
    "auth.login": ("GET", "/login", LOGGED_IN_REDIRECT),
    "auth.logout": ("POST", "/logout", REDIRECTED),
    "auth.language": ("POST", "/language", REDIRECTED),
    "auth.change_password": ("GET", "/account/password", LEARNER_PAGE),
    "auth.request_reset": ("GET", "/password/reset", PUBLIC_PAGE),
    "auth.reset_password": ("GET", "/password/reset/not-a-token", INVALID_LINK),
    "auth.accept_invitation": ("GET", "/invitation/not-a-token", INVALID_LINK),
    "auth.confirm_email": ("GET", "/account/email/not-a-token", INVALID_LINK),
    "auth.profile": ("GET", "/account", LEARNER_PAGE),
    "auth.change_email": ("GET", "/account/email", LEARNER_PAGE),
    "sso.start": ("GET", "/login/sso/csd-lasko", NOT_FOUND),
    "sso.callback": ("GET", "/login/sso/csd-lasko/callback?state=x&code=y", NOT_FOUND),
    "sso.admin_settings": ("GET", "/admin/sso", ADMIN_PAGE),
    "admin.user_invite": ("POST", "/admin/users/{user}/invite", {**ADMIN_PAGE, "admin": 302}),
    "ops.jobs_page": ("GET", "/admin/jobs", ADMIN_PAGE),
    "ops.job_failure": ("POST", "/admin/jobs/failures/999/resolve", ADMIN_MISSING),
    "ops.outbox": ("GET", "/admin/outbox", ADMIN_PAGE),
    "ops.outbox_message": ("GET", "/admin/outbox/999", ADMIN_MISSING),
    "admin.users": ("GET", "/admin/users", ADMIN_PAGE),
    "admin.user_new": ("GET", "/admin/users/new", ADMIN_PAGE),
    "admin.user_edit": ("GET", "/admin/users/{user}", ADMIN_PAGE),
    "admin.user_import": ("GET", "/admin/users/import", ADMIN_PAGE),
    "admin.user_reactivate": ("POST", "/admin/users/{user}/reactivate", ADMIN_DONE),
    "exports.index": ("GET", "/exports", HR_PAGE),
    "exports.status": ("GET", "/exports/{export}", EXPORT),
    "exports.download": ("GET", "/exports/{export}/download", EXPORT),
    "competences.mine": ("GET", "/my/competences", LEARNER_PAGE),
    "competences.matrix": ("GET", "/hr/matrix", HR_PAGE),
    "competences.matrix_export": ("GET", "/hr/matrix.csv", HR_PAGE),
    "competences.recalculate_matrix": ("POST", "/hr/matrix/recalculate", HR_DONE),
    # The target works at csd-lasko; every test user is made there too (same institution).
    "competences.employee": ("GET", "/hr/employees/{user}", RATER_PAGE),
    "competences.assessors": ("GET", "/hr/assessors", HR_PAGE),
    "competences.assignments_page": ("GET", "/hr/assignments", HR_PAGE),
    # An assignment of csd-lasko: its HR and administrators change and withdraw it.
    "competences.change_due": (
        "POST",
        "/hr/assignments/{assignment}/due",
        {**ADMIN_DONE, "hr": 302},
    ),
    "competences.withdraw": (
        "POST",
        "/hr/assignments/{assignment}/withdraw",
        {**ADMIN_DONE, "hr": 302},
    ),
    # The test users work at csd-lasko, not at the lead partner: only admins see it.
    "competences.summary": ("GET", "/reports/summary", ADMIN_PAGE),
    "competences.recalculate_summary": ("POST", "/reports/summary/recalculate", ADMIN_DONE),
    "competences.correct": ("GET", "/hr/evidence/{rating}/correct", RATER_PAGE),
    "quizzes.quiz_home": ("GET", "/courses/alpha/quiz", LEARNER_PAGE),
    "quizzes.start": ("POST", "/courses/alpha/quiz/start", REDIRECTED),
    "quizzes.attempt": ("GET", "/quiz/attempts/{attempt}", OWNER_ONLY),
    "quizzes.summary": ("GET", "/quiz/attempts/{attempt}/summary", OWNER_ONLY),
    "quizzes.save": ("POST", "/quiz/attempts/{attempt}/save", OWNER_ONLY),
    "quizzes.submit": ("POST", "/quiz/attempts/{attempt}/submit", OWNER_ONLY),
    # Trainers reach a course's attempts, statistics and essays only when assigned to it, and
    # the test trainer is not assigned to alpha.
    "quizzes.result": ("GET", "/quiz/attempts/{attempt}/result", ADMIN_PAGE),
    "quizzes.attempts": ("GET", "/courses/alpha/quiz/attempts", ADMIN_PAGE),
    "quizzes.statistics": ("GET", "/courses/alpha/quiz/statistics", ADMIN_PAGE),
    "quizzes.progress": ("GET", "/courses/alpha/progress", ADMIN_PAGE),
    "quizzes.grading": ("GET", "/quiz/grading", TRAINER_PAGE),
    "quizzes.grade": ("GET", "/quiz/grading/{answer}", ADMIN_PAGE),
    # Moved to the editor: the old address sends trainers of the course there.
    "quizzes.import_gift": ("GET", "/courses/alpha/quiz/import", {**ADMIN_PAGE, "admin": 301}),
    "quizzes.answers": ("GET", "/courses/alpha/quiz/answers.csv", ADMIN_PAGE),
    # Only the course's trainers (the test trainer is not alpha's) and administrators.
    "quizzes.recalculate_statistics": (
        "POST",
        "/courses/alpha/quiz/statistics/recalculate",
        ADMIN_DONE,
    ),
    "certificates.lookup": ("GET", "/verify", PUBLIC_PAGE),
    "certificates.verify": ("GET", "/verify/{code}", PUBLIC_PAGE),
    "certificates.issuer": ("GET", "/issuers/czss-cakovec", PUBLIC_PAGE),
    "certificates.status_list": ("GET", "/issuers/czss-cakovec/status/revocation", PUBLIC_PAGE),
    "certificates.mine": ("GET", "/my/certificates", LEARNER_PAGE),
    "certificates.pdf": ("GET", "/certificates/{certificate}.pdf", SCOPED),
    "certificates.credential": ("GET", "/certificates/{certificate}.json", SCOPED),
    "certificates.europass_credential": (
        "GET",
        "/certificates/{certificate}/europass.json",
        SCOPED,
    ),
    "certificates.verify_europass": ("GET", "/verify/{code}/europass.json", PUBLIC_PAGE),
    "certificates.institution_list": ("GET", "/hr/certificates", HR_PAGE),
    "certificates.institution_csv": ("GET", "/hr/certificates.csv", HR_PAGE),
    "certificates.issue_form": ("GET", "/certificates/issue", TRAINER_PAGE),
    # The test administrator works at czss-cakovec, which issues beta's certificates.
    "certificates.revoke": ("GET", "/certificates/{certificate}/revoke", ADMIN_PAGE),
    "certificates.detail": ("GET", "/certificates/{certificate}", HR_PAGE),
    # A certificate that is not revoked: the page says it cannot be issued again.
    "certificates.replace": ("GET", "/certificates/{certificate}/replace", ADMIN_PAGE),
    # Always the administrator's own institution.
    "certificates.institution_settings": ("GET", "/admin/institution", ADMIN_PAGE),
    # HR and administrators read the job roles; only the lead partner's administrators (the
    # test administrator is of czss-cakovec) change them.
    "competences.job_roles": ("GET", "/admin/job-roles", HR_PAGE),
    "competences.job_role": ("GET", "/admin/job-roles/{job_role}", HR_PAGE),
    "competences.new_job_role": ("GET", "/admin/job-roles/new", OWNER_ONLY),
    "certificates.create_key": ("POST", "/issuers/czss-cakovec/keys", ADMIN_DONE),
    # The emblem is public, as the certificates that show it; only the institution's own
    # administrators change it. The request sends no file: the form says so (400).
    "certificates.emblem_image": ("GET", "/issuers/czss-cakovec/emblem", PUBLIC_PAGE),
    "certificates.upload_emblem": (
        "POST",
        "/issuers/czss-cakovec/emblem",
        {**ADMIN_PAGE, "admin": 400},
    ),
    "certificates.remove_emblem": ("POST", "/issuers/czss-cakovec/emblem/remove", ADMIN_DONE),
    "authoring.index": ("GET", "/authoring/", TRAINER_PAGE),
    # Only assigned trainers: the test trainer is not assigned to alpha.
    "authoring.export": ("GET", "/authoring/courses/alpha/export.zip", ADMIN_PAGE),
    "authoring.trainers": ("GET", "/authoring/courses/alpha/trainers", ADMIN_PAGE),
    "authoring.new_course": ("GET", "/authoring/new", TRAINER_PAGE),
    "authoring.course": ("GET", "/authoring/courses/alpha/", ADMIN_PAGE),
    "authoring.settings": ("GET", "/authoring/courses/alpha/settings", ADMIN_PAGE),
    "authoring.lesson": ("GET", "/authoring/courses/alpha/lessons/first/hr", ADMIN_PAGE),
    "authoring.quiz": ("GET", "/authoring/courses/alpha/quiz/en", ADMIN_PAGE),
    "authoring.quiz_import": ("GET", "/authoring/courses/alpha/quiz/import", ADMIN_PAGE),
    "authoring.quiz_export_file": (
        "GET",
        "/authoring/courses/alpha/quiz/en/export.xml",
        ADMIN_PAGE,
    ),
    "authoring.history": ("GET", "/authoring/courses/alpha/history", ADMIN_PAGE),
    "authoring.diff": ("GET", "/authoring/courses/alpha/history/diff", ADMIN_PAGE),
    "authoring.draft_file": (
        "GET",
        "/authoring/courses/alpha/draft/files/images/diagram.png",
        ADMIN_PAGE,
    ),
    "authoring.add_lesson": ("POST", "/authoring/courses/alpha/lessons", ADMIN_DONE),
    "authoring.move_lesson": ("POST", "/authoring/courses/alpha/lessons/first/move", ADMIN_DONE),
    "authoring.remove_lesson": (
        "POST",
        "/authoring/courses/alpha/lessons/first/remove",
        ADMIN_DONE,
    ),
    "authoring.publish": ("POST", "/authoring/courses/alpha/publish", ADMIN_DONE),
    "authoring.discard": ("POST", "/authoring/courses/alpha/discard", ADMIN_DONE),
    "authoring.restore": ("POST", "/authoring/courses/alpha/history/1/restore", ADMIN_DONE),
    "authoring.remove_trainer": (
        "POST",
        "/authoring/courses/alpha/trainers/remove",
        {**ADMIN_PAGE, "admin": 302},
    ),
    "admin.user_deactivate": (
        "POST",
        "/admin/users/{user}/deactivate",
        {**ADMIN_PAGE, "admin": 302},
    ),
    "audit.trail": ("GET", "/admin/audit", ADMIN_PAGE),
    "privacy.notice": ("GET", "/privacy", PUBLIC_PAGE),
    "privacy.my_data": ("GET", "/account/data", LEARNER_PAGE),
    # The target's own export: nobody else learns that it exists.
    "privacy.download": ("GET", "/account/data/{data_export}.json", NOT_THEIRS),
    # Only administrators of the person's institution erase; the test admin is of another.
    "privacy.erase": ("GET", "/admin/users/{user}/erase", OWNER_ONLY),
    "xapi.outbox": ("GET", "/admin/learning-records", ADMIN_PAGE),
    "xapi.send_again": ("POST", "/admin/learning-records/999/send", ADMIN_MISSING),
}


def test_every_view_is_in_the_matrix_and_declares_its_access(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(MATRIX), "add new views to MATRIX with the access each role has"
    for endpoint in endpoints:
        view = app.view_functions[endpoint]
        assert getattr(view, "is_public", False) or getattr(view, "required_roles", None), endpoint


def _submitted_attempt(app, user_id: int) -> tuple[int, int]:
    """An attempt of `user_id` with an essay waiting for grading: (attempt id, answer id)."""
    from app.courses.services import get_course
    from app.quizzes import services

    with app.app_context():
        quiz = services.quiz_for_course(get_course("alpha").id)
        attempt = services.start_attempt(user_id, quiz, "en")
        services.submit_attempt(attempt, {5: "An essay."})
        db.session.commit()
        essay = next(answer for answer in attempt.answers if answer.needs_grading)
        return attempt.id, essay.id


def _rating(app, user_id: int) -> int:
    from app.competences.services import EvidenceInput, record_evidence
    from app.framework.models import Competence

    with app.app_context():
        competence = db.session.scalar(db.select(Competence.id))
        (row,) = record_evidence([EvidenceInput(user_id, competence, 2, "rating")])
        db.session.commit()
        return row.id


def _data_export(app, user_id: int) -> int:
    """A data export of `user_id`, built (jobs run at once in tests)."""
    from app.privacy.jobs import build_export
    from app.privacy.models import DataExport

    with app.app_context():
        row = DataExport(user_id=user_id)
        db.session.add(row)
        db.session.commit()
        build_export(row.id)
        return row.id


def _emblem(app) -> None:
    """czss-cakovec prints an emblem (its GET is public; an administrator removes it last)."""
    import io

    from PIL import Image

    from app.auth.services import institution_by_slug
    from app.certificates.emblem import set_emblem

    image = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(image, "PNG")
    with app.app_context():
        set_emblem(institution_by_slug("czss-cakovec"), image.getvalue(), None)
        db.session.commit()


def _certificate(app, user_id: int) -> tuple[int, str]:
    from app.auth.models import User
    from app.certificates.services import issue
    from app.courses.services import get_course

    with app.app_context():
        certificate, _created = issue(db.session.get(User, user_id), get_course("beta"))
        db.session.commit()
        return certificate.id, certificate.code


def _assignment(app, user_id: int) -> int:
    """A course assigned to `user_id` at csd-lasko, due in a month."""
    from datetime import timedelta

    from app.auth.services import institution_by_slug
    from app.core.database import local_today
    from app.courses.assignments import assign
    from app.courses.services import get_course

    with app.app_context():
        row = assign(institution_by_slug("csd-lasko").id, get_course("alpha").id,
                     local_today() + timedelta(days=30), user_id, user_id=user_id)  # fmt: skip
        db.session.commit()
        return row.id


def _job_role(app) -> int:
    from app.framework.models import JobRole

    with app.app_context():
        return db.session.scalar(db.select(JobRole.id).where(JobRole.code == "social-worker-csd"))


def _export(app, user_id: int) -> int:
    """A finished export of czss-cakovec's matrix, asked for by `user_id`."""
    from app.auth.models import User
    from app.auth.services import institution_by_slug
    from app.exports.jobs import queue_export

    with app.app_context():
        user, institution = db.session.get(User, user_id), institution_by_slug("czss-cakovec")
        export = queue_export(user, institution, "matrix", "csv", "en")
        db.session.commit()  # the job runs at once (JOBS_IMMEDIATE)
        return export.id


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_access_it_should(app, client, courses, make_user, role):
    target = make_user(full_name="Target")
    attempt, answer = _submitted_attempt(app, target)
    rating = _rating(app, target)
    certificate, code = _certificate(app, target)
    data_export = _data_export(app, target)
    _emblem(app)
    export = _export(app, make_user(roles={"admin"}, institution="czss-cakovec"))
    assignment = _assignment(app, target)
    job_role = _job_role(app)

    def user_of_role() -> int:
        # The administrator is one of beta's issuing institution, czss-cakovec.
        institution = "czss-cakovec" if role == "admin" else "csd-lasko"
        return make_user(roles=set() if role == "learner" else {role}, institution=institution)

    if role != "anonymous":
        login(client, user_of_role())
    failures = []
    for endpoint, (method, path, expected) in MATRIX.items():
        url = path.format(
            user=target,
            attempt=attempt,
            answer=answer,
            rating=rating,
            certificate=certificate,
            code=code,
            export=export,
            data_export=data_export,
            assignment=assignment,
            job_role=job_role,
        )
        if method == "GET":
            response = client.get(url)
        else:
            data = {"csrf_token": csrf_token(client), "language": "en"}
            response = client.post(url, data=data)
        status = response.status_code
        if role == "anonymous" and expected[role] == LOGIN_REDIRECT and "/login" not in url:
            # Refused, not done: the visitor is sent to log in.
            location = response.headers.get("Location", "")
            if endpoint not in ("home.dashboard", "auth.language"):
                assert "/login?next=" in location, (endpoint, location)
        if status != expected[role]:
            failures.append(f"{endpoint} {url}: {status}, expected {expected[role]}")
        if endpoint == "auth.logout" and role != "anonymous":
            login(client, user_of_role())
    assert failures == []
