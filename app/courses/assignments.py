"""Courses that HR assigns to employees or job roles, with due dates, and the overdue report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import events
from app.core.errors import DomainError
from app.courses.models import Course, CourseAssignment, Enrolment
from app.extensions import db


class AssignmentError(DomainError):
    pass


def assign(
    institution_id: int,
    course_id: int,
    due_on: date,
    assigned_by_id: int,
    user_id: int | None = None,
    job_role_id: int | None = None,
) -> CourseAssignment:
    """Assign a course to one employee of the institution, or to a whole job role there."""
    if (user_id is None) == (job_role_id is None):
        raise AssignmentError("assign to one employee or to one job role")
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is None or user.institution_id != institution_id:
            raise AssignmentError("the employee is not in this institution")
    row = CourseAssignment(
        institution_id=institution_id,
        course_id=course_id,
        user_id=user_id,
        job_role_id=job_role_id,
        due_on=due_on,
        assigned_by_id=assigned_by_id,
    )
    db.session.add(row)
    db.session.flush()
    events.assignment_made.send(
        None,
        assignment_id=row.id,
        institution_id=institution_id,
        course_id=course_id,
        user_id=user_id,
        job_role_id=job_role_id,
        due_on=due_on,
    )
    return row


def _applies(assignment: CourseAssignment, user: User) -> bool:
    if assignment.institution_id != user.institution_id:
        return False
    if assignment.user_id is not None:
        return assignment.user_id == user.id
    return assignment.job_role_id == user.job_role_id


def assignments_for(user: User) -> list[CourseAssignment]:
    """The courses assigned to a learner, directly or through their job role; earliest due first.
    A course assigned twice shows once, with the earlier due date."""
    conditions = [CourseAssignment.user_id == user.id]
    if user.job_role_id is not None:
        conditions.append(CourseAssignment.job_role_id == user.job_role_id)
    rows = db.session.scalars(
        select(CourseAssignment)
        .where(CourseAssignment.institution_id == user.institution_id, or_(*conditions))
        .options(selectinload(CourseAssignment.course).selectinload(Course.texts))
        .order_by(CourseAssignment.due_on)
    )
    seen: dict[int, CourseAssignment] = {}
    for row in rows:
        seen.setdefault(row.course_id, row)
    return list(seen.values())


def assignments_query(institution_id: int) -> Select[CourseAssignment]:
    """The institution's assignments, soonest due first: a query to page through."""
    return (
        select(CourseAssignment)
        .where(CourseAssignment.institution_id == institution_id)
        .options(
            selectinload(CourseAssignment.course).selectinload(Course.texts),
            selectinload(CourseAssignment.user),
            selectinload(CourseAssignment.job_role),
        )
        .order_by(CourseAssignment.due_on, CourseAssignment.id)
    )


def institution_assignments(institution_id: int) -> list[CourseAssignment]:
    return list(db.session.scalars(assignments_query(institution_id)))


@dataclass
class OverdueItem:
    user: User
    assignment: CourseAssignment
    completed_on: date | None  # completed, but after the due date


def overdue(institution_id: int, today: date) -> list[OverdueItem]:
    """Who has not completed an assigned course by its due date; three queries in all."""
    assignments = [row for row in institution_assignments(institution_id) if row.due_on < today]
    return _items(assignments, {institution_id})


def due_between(first: date | None, last: date) -> list[OverdueItem]:
    """Across institutions: assignments due from `first` (or ever) to `last`, for each active
    employee they apply to who has not completed the course; three queries in all."""
    query = (
        select(CourseAssignment)
        .where(CourseAssignment.due_on <= last)
        .options(
            selectinload(CourseAssignment.course).selectinload(Course.texts),
            selectinload(CourseAssignment.job_role),
        )
        .order_by(CourseAssignment.due_on, CourseAssignment.id)
    )
    if first is not None:
        query = query.where(CourseAssignment.due_on >= first)
    assignments = list(db.session.scalars(query))
    items = _items(assignments, {row.institution_id for row in assignments})
    return [item for item in items if item.completed_on is None]


def _items(assignments: list[CourseAssignment], institution_ids: set[int]) -> list[OverdueItem]:
    """Each (employee, course) of these assignments not completed by its due date, once."""
    if not assignments:
        return []
    users = list(
        db.session.scalars(
            select(User)
            .where(User.institution_id.in_(institution_ids), User.is_active.is_(True))
            .order_by(User.full_name, User.id)
        )
    )
    completed = {
        (row.user_id, row.course_id): row.completed_at
        for row in db.session.scalars(
            select(Enrolment).where(
                Enrolment.user_id.in_([user.id for user in users]),
                Enrolment.course_id.in_({row.course_id for row in assignments}),
            )
        )
    }
    items: list[OverdueItem] = []
    reported: set[tuple[int, int]] = set()
    for user in users:
        for assignment in assignments:
            key = (user.id, assignment.course_id)
            if key in reported or not _applies(assignment, user):
                continue
            done = completed.get(key)
            if done is None or done.date() > assignment.due_on:
                reported.add(key)
                items.append(OverdueItem(user, assignment, done.date() if done else None))
    return items


def change_due(assignment: CourseAssignment, due_on: date, today: date) -> None:
    """Move the due date (extend it, or bring it forward); never into the past."""
    if due_on < today:
        raise AssignmentError("a due date from today on")
    assignment.due_on = due_on
    db.session.flush()


def withdraw(assignment: CourseAssignment) -> None:
    """Take the assignment back: the course stays open to the learners, only the duty goes."""
    db.session.delete(assignment)
    db.session.flush()
