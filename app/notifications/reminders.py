"""The nightly reminders and HR's weekly overview: what falls due, what is late, what expires.

Windows rather than exact days: a reminder "7 days before" goes out on any night from 7 to 2
days before, so a night the worker was down loses nothing, and `SentNotice` keeps each from
going twice. A reminder is skipped when the thing was made inside its window (an assignment
made 3 days before its due date got its own mail with the date; no "7 days" reminder follows).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import Institution, User, UserRole
from app.certificates.models import Certificate
from app.competences.expiry import lapsing
from app.courses import assignments
from app.courses.models import Course
from app.extensions import db
from app.notifications import kinds, notices, sending

LOCAL = ZoneInfo("Europe/Ljubljana")
DUE_STAGES = (7, 1)  # days before a due date
EXPIRY_STAGES = (60, 14)  # days before a certificate or a competence expires
OVERDUE_LOOKBACK_DAYS = 60  # older overdue assignments were reminded of long ago


def _stage(days_left: int, stages: tuple[int, ...]) -> int | None:
    """The nearest stage whose window holds `days_left`: 5 days left is the 7-day stage."""
    return next((stage for stage in sorted(stages) if days_left <= stage), None)


def _in_window(days_left: int, stages: tuple[int, ...], made_on: date, due: date) -> int | None:
    """The stage of a reminder `days_left` before `due`, unless it was made inside it."""
    if days_left < 0:
        return None
    stage = _stage(days_left, stages)
    if stage is None or made_on > due - timedelta(days=stage):
        return None
    return stage


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def _assignment_builders(today: date) -> dict[int, list[sending.Builder]]:
    found: dict[int, list[sending.Builder]] = defaultdict(list)
    horizon = today + timedelta(days=max(DUE_STAGES))
    for item in assignments.due_between(today, horizon):
        row = item.assignment
        days_left = (row.due_on - today).days
        stage = _in_window(days_left, DUE_STAGES, _local_day(row.created_at), row.due_on)
        if stage is not None:
            found[item.user.id].append(notices.assignment_due(row, stage, days_left))
    since = today - timedelta(days=OVERDUE_LOOKBACK_DAYS)
    for item in assignments.due_between(since, today - timedelta(days=1)):
        found[item.user.id].append(notices.assignment_overdue(item.assignment))
    return found


def _certificate_builders(today: date) -> dict[int, list[sending.Builder]]:
    found: dict[int, list[sending.Builder]] = defaultdict(list)
    rows = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.revoked_at.is_(None),
            Certificate.expires_on >= today,
            Certificate.expires_on <= today + timedelta(days=max(EXPIRY_STAGES)),
        )
        .options(selectinload(Certificate.course).selectinload(Course.texts))
    )
    for row in rows:
        assert row.expires_on is not None
        stage = _in_window(
            (row.expires_on - today).days, EXPIRY_STAGES, row.issued_on, row.expires_on
        )
        if stage is not None:
            found[row.user_id].append(notices.certificate_expiring(row, stage))
    return found


def _competence_builders(today: date) -> dict[int, list[sending.Builder]]:
    found: dict[int, list[sending.Builder]] = defaultdict(list)
    start = datetime.combine(today, time.min, LOCAL)
    until = datetime.combine(today + timedelta(days=max(EXPIRY_STAGES) + 1), time.min, LOCAL)
    for row in lapsing(start, until):
        stage = _in_window(
            (row.expires_on - today).days,
            EXPIRY_STAGES,
            _local_day(row.recorded_at),
            row.expires_on,
        )
        if stage is not None:
            found[row.user_id].append(notices.competence_expiring(row, stage))
    return found


def send_reminders(today: date) -> int:
    """Every reminder due tonight, one mail (or digest) per person; the number of notices."""
    by_user: dict[int, list[sending.Builder]] = defaultdict(list)
    for collect in (_assignment_builders, _certificate_builders, _competence_builders):
        for user_id, builders in collect(today).items():
            by_user[user_id].extend(builders)
    if not by_user:
        return 0
    reminder_kinds = (kinds.ASSIGNMENT_DUE, kinds.ASSIGNMENT_OVERDUE, kinds.EXPIRING)
    sent = sending.sent_keys(by_user, reminder_kinds)
    users = db.session.scalars(
        select(User).where(User.id.in_(by_user), User.is_active.is_(True)).order_by(User.id)
    )
    return sum(sending.send(user, by_user[user.id], sent) for user in users)


def iso_week(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def send_overdue_digests(today: date) -> int:
    """To HR of each institution, this week's overdue assignments there not yet completed;
    nothing where nothing is overdue. The number of mails."""
    count = 0
    hr_people = db.session.scalars(
        select(User)
        .where(User.is_active.is_(True), User.role_rows.any(UserRole.role == "hr"))
        .order_by(User.institution_id, User.id)
    )
    by_institution: dict[int, list[User]] = defaultdict(list)
    for person in hr_people:
        by_institution[person.institution_id].append(person)
    for institution_id, people in by_institution.items():
        items = [
            item for item in assignments.overdue(institution_id, today) if item.completed_on is None
        ]
        institution = db.session.get(Institution, institution_id)
        if not items or institution is None:
            continue
        build = notices.overdue_digest(institution, items, iso_week(today))
        count += sum(sending.send(person, [build]) for person in people)
    return count
