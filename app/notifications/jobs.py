"""Notification jobs: an assignment's mails, the nightly reminders, HR's weekly overview."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import jobs
from app.core.database import local_today
from app.courses.models import Course, CourseAssignment, Enrolment
from app.extensions import db
from app.notifications import kinds, notices, reminders, sending

log = logging.getLogger(__name__)


def _assignees(assignment: CourseAssignment) -> list[User]:
    """Who an assignment reaches: its employee, or the active staff of its job role there,
    without those who have completed the course already."""
    query = select(User).where(
        User.institution_id == assignment.institution_id, User.is_active.is_(True)
    )
    if assignment.user_id is not None:
        query = query.where(User.id == assignment.user_id)
    else:
        query = query.where(User.job_role_id == assignment.job_role_id)
    done = select(Enrolment.user_id).where(
        Enrolment.course_id == assignment.course_id, Enrolment.completed_at.is_not(None)
    )
    return list(db.session.scalars(query.where(User.id.not_in(done)).order_by(User.id)))


@jobs.job()
def notify_assignment(assignment_id: int) -> None:
    """Tell everyone an assignment reaches (a whole job role may be many: off the request)."""
    assignment = db.session.scalar(
        select(CourseAssignment)
        .where(CourseAssignment.id == assignment_id)
        .options(selectinload(CourseAssignment.course).selectinload(Course.texts))
    )
    if assignment is None:
        return
    build = notices.assignment_made(assignment)
    people = _assignees(assignment)
    sent = sending.sent_keys([person.id for person in people], [kinds.ASSIGNMENT_MADE])
    for person in people:
        sending.send(person, [build], sent)
    db.session.commit()


@jobs.periodic(crontab(hour="3", minute="30"))
def nightly_reminders() -> None:
    """Due dates in 7 and 1 days, overdue courses, certificates and competences expiring in
    60 and 14 days: one mail, or one digest, per person (03:30 UTC, before the working day)."""
    count = reminders.send_reminders(local_today())
    db.session.commit()
    log.info("nightly reminders: %d notice(s) sent", count)


@jobs.periodic(crontab(day_of_week="1", hour="4", minute="0"))
def weekly_overdue_digest() -> None:
    """Monday morning: HR of each institution get the overdue courses there in one mail."""
    count = reminders.send_overdue_digests(local_today())
    db.session.commit()
    log.info("weekly overdue digest: %d mail(s) sent", count)
