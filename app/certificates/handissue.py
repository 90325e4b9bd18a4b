"""Certificates issued by hand, who may issue and revoke, and those waiting for a key."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from app.auth.models import PARTNER_ROLES, User
from app.certificates import keys
from app.certificates.models import Certificate
from app.certificates.services import issue
from app.core.errors import DomainError
from app.courses.models import Course, Enrolment
from app.courses.trainers import is_trainer_of, trained_course_ids
from app.extensions import db


class IssueRefused(DomainError):
    """A hand issue that the rules do not allow; the message says why, translated."""


# A reason says who was trained, when and how: a few words at least.
MIN_REASON_LENGTH = 10


def may_issue_by_hand(by: User, course: Course) -> bool:
    """A trainer of the course, or an administrator of the institution that issues it."""
    if by.has_role("admin") and by.institution_id == course.institution_id:
        return True
    return is_trainer_of(by, course.id)


def courses_issuable_by(by: User) -> list[int]:
    """Ids of the courses `by` may issue by hand (the choices of the issue form)."""
    ids: set[int] = set()
    if by.has_role("admin"):
        ids |= set(
            db.session.scalars(select(Course.id).where(Course.institution_id == by.institution_id))
        )
    ids |= set(trained_course_ids(by))
    return sorted(ids)


def check_hand_issue(learner: User, course: Course, by: User | None, reason: str) -> str:
    """Refuse a hand issue the rules do not allow; return the reason, trimmed.

    `by` is None for the command line, which only the operator of the server can run.
    """
    if by is not None and not may_issue_by_hand(by, course):
        raise IssueRefused(
            gettext(
                "Only a trainer of this course or an administrator of %(institution)s may issue "
                "its certificates by hand.",
                institution=course.institution.name,
            )
        )
    if by is not None and learner.id == by.id:
        raise IssueRefused(gettext("Nobody may issue a certificate to themselves."))
    if not learner.is_active:
        raise IssueRefused(gettext("This account is deactivated."))
    if learner.institution.partner_role not in PARTNER_ROLES:
        raise IssueRefused(
            gettext(
                "%(institution)s does not take part in the project: its staff cannot receive "
                "the project's certificates.",
                institution=learner.institution.name,
            )
        )
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise IssueRefused(
            gettext(
                "Give the reason for issuing by hand (at least %(count)d characters), for "
                "example the date and place of the training.",
                count=MIN_REASON_LENGTH,
            )
        )
    return reason


def issue_by_hand(
    learner: User, course: Course, by: User | None, reason: str
) -> tuple[Certificate, bool]:
    """A certificate for a training held in person, recorded with who issued it and why."""
    reason = check_hand_issue(learner, course, by, reason)
    return issue(learner, course, issued_by=by, reason=reason)


def may_revoke(by: User, certificate: Certificate) -> bool:
    """Only an administrator of the issuing institution withdraws what it signed."""
    return by.has_role("admin") and by.institution_id == certificate.institution_id


def pending_certificates(
    institution_id: int | None = None, user_id: int | None = None
) -> list[tuple[int, int]]:
    """(user id, course id) of completed courses that have no certificate yet: being issued by
    a job, or waiting for their institution's first signing key."""
    query = (
        select(Enrolment.user_id, Enrolment.course_id)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(
            Certificate,
            (Certificate.user_id == Enrolment.user_id)
            & (Certificate.course_id == Enrolment.course_id),
        )
        .where(Enrolment.completed_at.is_not(None), Certificate.id.is_(None))
        .order_by(Enrolment.completed_at)
    )
    if institution_id is not None:
        query = query.where(Course.institution_id == institution_id)
    if user_id is not None:
        query = query.where(Enrolment.user_id == user_id)
    return [(row.user_id, row.course_id) for row in db.session.execute(query)]


def issue_pending(institution_id: int | None = None) -> list[Certificate]:
    """Issue every certificate that waited for a key; those of institutions still without one
    keep waiting."""
    issued = []
    for user_id, course_id in pending_certificates(institution_id):
        course = db.session.get(Course, course_id)
        learner = db.session.get(User, user_id)
        if course is None or learner is None or keys.active_key(course.institution_id) is None:
            continue
        certificate, created = issue(learner, course)
        if created:
            issued.append(certificate)
    return issued
