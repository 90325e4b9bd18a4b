"""Certificates follow completions: a completed course is certified by its institution."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.certificates.jobs import issue_certificate
from app.core import events, jobs


def on_course_completed(_sender: object, *, user_id: int, course_id: int, **_: Any) -> None:
    # Signing and rendering take a while: the worker does it once the completion is committed.
    jobs.after_commit(issue_certificate, user_id, course_id)


def init_app(_app: Flask) -> None:
    events.course_completed.connect(on_course_completed)
