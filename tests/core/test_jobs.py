"""Background jobs: queued on commit, retried and recorded when they fail, run by a real worker
process on Redis, and certificates issued off the request path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.certificates.models import Certificate
from app.core import jobs
from app.courses.models import Enrolment
from app.extensions import db
from tests.conftest import COURSES, login, make_app, post

RAN: list[str] = []


@jobs.job(retries=2, retry_delay=60)
def record(value: str) -> None:
    if value == "boom":
        raise RuntimeError("the printer is on fire")
    RAN.append(value)


def test_a_job_is_queued_when_the_transaction_commits_and_never_on_rollback(app):
    RAN.clear()
    with app.app_context():
        jobs.after_commit(record, "kept")
        jobs.after_commit(record, "dropped")
        assert RAN == []  # nothing runs before the commit
        db.session.rollback()
        jobs.after_commit(record, "kept")
        db.session.commit()
    assert RAN == ["kept"]


def test_a_failed_job_is_recorded_retried_and_shown_to_admins(app, client, make_user):
    with app.app_context():
        jobs.after_commit(record, "boom")
        db.session.commit()
        failure = db.session.scalar(select(jobs.JobFailure))
        assert failure.name.endswith("record")
        assert "the printer is on fire" in failure.error
        assert failure.retries_left == 2
        # The retry waits, doubling: it is scheduled, not lost.
        assert jobs.huey.scheduled_count() >= 1
    learner = app.test_client()
    login(learner, make_user())
    assert learner.get("/admin/jobs").status_code == 403
    login(client, make_user(roles={"admin"}))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "the printer is on fire" in page
    assert "issue_waiting" in page  # the periodic jobs are listed
    response = post(client, f"/admin/jobs/failures/{failure.id}/resolve", follow_redirects=True)
    assert "marked as resolved" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(jobs.JobFailure, failure.id).resolved_at is not None
    assert post(client, f"/admin/jobs/failures/{failure.id}/delete").status_code == 400


def test_run_again_queues_the_job_with_its_arguments(app, client, make_user):
    RAN.clear()
    with app.app_context():
        db.session.add(jobs.JobFailure(task_id="x", name=f"{__name__}.record",
                                       arguments='[["again"], {}]', error="timeout"))  # fmt: skip
        db.session.commit()
        failure_id = db.session.scalar(select(jobs.JobFailure.id))
    login(client, make_user(roles={"admin"}))
    post(client, f"/admin/jobs/failures/{failure_id}/retry")
    assert RAN == ["again"]
    with app.app_context():
        db.session.add(jobs.JobFailure(task_id="y", name="app.gone.task", error="x"))
        db.session.commit()
        gone = db.session.scalar(select(jobs.JobFailure.id).where(jobs.JobFailure.task_id == "y"))
    page = post(client, f"/admin/jobs/failures/{gone}/retry", follow_redirects=True)
    assert "no longer exists" in page.get_data(as_text=True)


def test_completing_a_course_issues_the_certificate_through_a_job(app, client, courses, make_user):
    learner = make_user()
    login(client, learner)
    post(client, "/courses/beta/lessons/only/complete")
    with app.app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == learner))
        assert certificate is not None  # immediate mode: the job ran after the commit
    assert certificate.serial in client.get("/my/certificates").get_data(as_text=True)


def test_a_certificate_lost_with_a_killed_worker_is_issued_by_the_sweep(app, client, courses,
                                                                        make_user):  # fmt: skip
    from app.certificates.jobs import issue_waiting

    learner = make_user()
    login(client, learner)
    jobs.huey.immediate = False  # a worker that never ran: the queued job is lost
    try:
        post(client, "/courses/beta/lessons/only/complete")
        jobs.huey.flush()
    finally:
        jobs.huey.immediate = True
    page = client.get("/my/certificates").get_data(as_text=True)
    assert "is being signed" in page
    with app.app_context():
        assert db.session.scalar(select(Enrolment.completed_at)) is not None
        assert db.session.scalar(select(Certificate)) is None
    issue_waiting.call_local()
    with app.app_context():
        assert db.session.scalar(select(Certificate.user_id)) == learner
    assert "is being signed" not in client.get("/my/certificates").get_data(as_text=True)


def _worker(env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi.py", "jobs", "worker", "--workers", "2"],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_a_separate_worker_process_on_redis_issues_certificates(tmp_path, redis_url):
    """The real thing: the web app queues in Redis, a `flask jobs worker` process runs it."""
    root = Path(__file__).parents[2]
    jobs_url = redis_url.rsplit("/", 1)[0] + "/3"
    database = f"sqlite:///{tmp_path / 'worker.db'}"
    storage = tmp_path / "storage"
    web = make_app(database, storage, JOBS_URL=jobs_url, JOBS_IMMEDIATE=False)
    from app.auth.services import seed_institutions
    from app.courses.sync import sync_folder
    from tests.conftest import create_signing_keys

    with web.app_context():
        seed_institutions()
        sync_folder(COURSES)
        db.session.commit()
        jobs.huey.flush()
    create_signing_keys(web)
    env = {
        **os.environ,
        "SOKROG_CONFIG": "testing",
        "TEST_DATABASE_URL": database,
        "TEST_STORAGE_DIR": str(storage),
        "JOBS_URL": jobs_url,
        "JOBS_IMMEDIATE": "0",
    }
    worker = _worker(env, root)
    try:
        from app.auth.models import User
        from app.auth.services import UserData, create_user, institution_by_slug

        with web.app_context():
            user = create_user(
                UserData("far@example.org", "Far Away", institution_by_slug("csd-lasko").id),
                "correct-horse-battery",
            )
            db.session.commit()
            learner = user.id
            assert db.session.get(User, learner) is not None
        client = web.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login(client, learner)
        post(client, "/courses/beta/lessons/only/complete")
        deadline = time.monotonic() + 30
        certificate = None
        while certificate is None and time.monotonic() < deadline:
            with web.app_context():
                certificate = db.session.scalar(
                    select(Certificate.serial).where(Certificate.user_id == learner)
                )
            time.sleep(0.2)
        assert certificate, "the worker did not issue the certificate"
        assert worker.poll() is None  # still running
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            output, _ = worker.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        jobs.huey.immediate = True
    assert "job worker: 2 thread(s), queue Redis" in output
    assert "issue_certificate" in output
