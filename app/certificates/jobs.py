"""Certificates are issued and rendered by the job worker, not in the learner's request.

Issuing is idempotent (one certificate per learner and course, under a lock), so a job that
runs twice, or a worker killed half-way, does no harm: the periodic sweep issues whatever a
completed course still lacks.
"""

from __future__ import annotations

import logging

from huey import crontab

from app.auth.models import User
from app.certificates import handissue
from app.certificates.keys import SigningKeyMissing
from app.certificates.services import issue
from app.core import jobs
from app.courses.models import Course
from app.extensions import db

log = logging.getLogger(__name__)


@jobs.job()
def issue_certificate(user_id: int, course_id: int) -> None:
    """The certificate of a completed course (nothing if it exists already)."""
    course = db.session.get(Course, course_id)
    user = db.session.get(User, user_id)
    if course is None or user is None:
        return
    try:
        issue(user, course)
    except SigningKeyMissing:
        # The completion stands; the certificate is issued when the institution's
        # administrator creates its key (handissue.issue_pending).
        log.warning("no signing key for institution %s: certificate waits", course.institution_id)
        db.session.rollback()
        return
    db.session.commit()


@jobs.periodic(crontab(minute="*/10"))
def issue_waiting() -> None:
    """Every ten minutes: certificates of completed courses still missing (a worker stopped
    half-way, or a key was restored)."""
    issued = handissue.issue_pending()
    db.session.commit()
    if issued:
        log.info("issued %d certificate(s) that waited", len(issued))
