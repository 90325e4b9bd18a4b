"""Certificates follow completions: a completed course is certified by its institution."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from app.auth.models import User
from app.certificates.keys import SigningKeyMissing
from app.certificates.services import issue
from app.core import events
from app.courses.models import Course
from app.extensions import db

log = logging.getLogger(__name__)


def on_course_completed(_sender: object, *, user_id: int, course_id: int, **_: Any) -> None:
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


def init_app(_app: Flask) -> None:
    events.course_completed.connect(on_course_completed)
