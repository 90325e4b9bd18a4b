"""Helpers for the notification tests: assignments made some days ago, job roles, mails."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.database import utcnow
from app.courses import assignments
from app.courses.models import CourseAssignment
from app.courses.services import get_course
from app.extensions import db
from app.framework.models import JobRole


def give_job_role(app, user_id: int, code: str = "social-worker-csd") -> int:
    with app.app_context():
        role = db.session.scalar(select(JobRole.id).where(JobRole.code == code))
        db.session.get(User, user_id).job_role_id = role
        db.session.commit()
        return role


def assign(
    app,
    slug: str,
    due_on: date,
    by: int,
    user_id: int | None = None,
    job_role_id: int | None = None,
    made_days_ago: int = 30,
) -> int:
    """An assignment as HR make it (its mails go out), dated `made_days_ago` back."""
    with app.app_context():
        by_user = db.session.get(User, by)
        row = assignments.assign(
            by_user.institution_id,
            get_course(slug).id,
            due_on,
            by,
            user_id=user_id,
            job_role_id=job_role_id,
        )
        row.created_at = utcnow() - timedelta(days=made_days_ago)
        db.session.commit()
        return row.id


def assignment_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(CourseAssignment.id)))


def subject(message) -> str:
    """The subject as a reader sees it: a long encoded subject is folded onto a line of its
    own after "Subject:", and unfolding leaves the fold's space in front."""
    return str(message["Subject"]).strip()
