"""Erasing a person on request (GDPR art. 17), as the documented policy says (docs/privacy.md).

The account row stays, pseudonymised, because records others rely on point to it: issued
certificates (which must stay verifiable and revocable), evidence that HR's aggregate reports
count, and the audit trail, which keeps ids only. What identifies the person or is their own
free text goes: name, e-mail, password, roles, e-mail history, text answers, grader comments
and rating comments about them, their data exports and xAPI pseudonym link.
"""

from __future__ import annotations

import secrets
from datetime import date

from flask_babel import gettext, ngettext
from sqlalchemy import delete, select, update

from app.auth.models import User
from app.auth.services import end_sessions
from app.competences.models import Evidence
from app.core import events
from app.core.database import local_today
from app.core.errors import DomainError
from app.core.mail import MailMessage
from app.courses.assignments import assignments_for
from app.courses.models import CourseAssignment, Enrolment
from app.extensions import db
from app.privacy.export import remove_files
from app.privacy.models import DataExport, Erasure
from app.quizzes.models import AttemptAnswer, QuizAttempt

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never a real mailbox
MIN_REASON = 10


class ErasureRefused(DomainError):
    pass


class OpenAssignments(DomainError):
    """The person has courses assigned that they have not completed; confirm to go on."""

    def __init__(self, count: int) -> None:
        super().__init__(
            ngettext(
                "This person has %(num)d assigned course that is not completed. Confirm that "
                "the erasure goes ahead all the same: the assignment will be deleted.",
                "This person has %(num)d assigned courses that are not completed. Confirm that "
                "the erasure goes ahead all the same: the assignments will be deleted.",
                count,
            )
        )
        self.count = count


def is_erased(user_id: int) -> bool:
    return db.session.scalar(select(Erasure.id).where(Erasure.user_id == user_id)) is not None


def open_assignments(user: User, today: date | None = None) -> int:
    """How many courses are assigned to the person (directly or by job role) and not done."""
    assigned = {row.course_id for row in assignments_for(user)}
    if not assigned:
        return 0
    done = set(
        db.session.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == user.id,
                Enrolment.course_id.in_(assigned),
                Enrolment.completed_at.is_not(None),
            )
        )
    )
    return len(assigned - done)


def _check(user: User, by_id: int | None, reason: str) -> None:
    if len(reason) < MIN_REASON:
        raise ErasureRefused(
            gettext(
                "Give the reason for the erasure (at least %(num)d characters).", num=MIN_REASON
            )
        )
    if by_id == user.id:
        raise ErasureRefused(gettext("You cannot erase your own account."))
    if is_erased(user.id):
        raise ErasureRefused(gettext("This person's data has already been erased."))


def _erase_texts(user_id: int) -> None:
    """Free text the person wrote, and what graders and raters wrote about them."""
    attempts = select(QuizAttempt.id).where(QuizAttempt.user_id == user_id)
    for answer in db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(attempts))
    ):
        value = (answer.response or {}).get("value")
        # Typed text (essays, short and numerical answers) is the person's own words; the
        # choices they ticked are not, and item statistics keep counting them.
        if isinstance(value, str):
            answer.response = {"value": None, "erased": True}
        answer.comment = ""
    db.session.execute(
        update(Evidence)
        .where(Evidence.user_id == user_id)
        .values(comment="")
        .execution_options(synchronize_session=False)
    )


def _pseudonymise(user: User, pseudonym: str) -> None:
    user.full_name = gettext("Erased person %(code)s", code=pseudonym)
    user.email = f"{pseudonym}@{ERASED_DOMAIN}"
    user.password_hash = ""
    user.is_active = False
    user.last_login_at = None
    user.notification_optout = []
    user.role_rows = []
    end_sessions(user)


def erase(user: User, by_id: int | None, reason: str, confirm_open: bool = False) -> Erasure:
    """Erase the person's personal data; certificates, evidence and counts stay.

    Raises OpenAssignments (after recording that the request was held back) when courses are
    assigned to the person and `confirm_open` is not given: nothing is changed then.
    """
    reason = " ".join(reason.split())
    _check(user, by_id, reason)
    count = open_assignments(user, local_today())
    if count and not confirm_open:
        events.erasure_held.send(None, user_id=user.id, by_id=by_id, open_assignments=count)
        raise OpenAssignments(count)
    pseudonym = f"p-{secrets.token_hex(6)}"
    _erase_texts(user.id)
    for export_id in db.session.scalars(select(DataExport.id).where(DataExport.user_id == user.id)):
        remove_files(export_id)
    db.session.execute(delete(DataExport).where(DataExport.user_id == user.id))
    db.session.execute(delete(MailMessage).where(MailMessage.user_id == user.id))
    db.session.execute(delete(CourseAssignment).where(CourseAssignment.user_id == user.id))
    _pseudonymise(user, pseudonym)
    erasure = Erasure(user_id=user.id, pseudonym=pseudonym)
    db.session.add(erasure)
    db.session.flush()
    events.user_erased.send(None, user_id=user.id, by_id=by_id, reason=reason)
    return erasure
