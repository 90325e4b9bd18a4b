"""Who looks after a course: the trainers an administrator assigns, and what they may edit."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.errors import DomainError
from app.courses.models import Course, CourseTrainer
from app.extensions import db


class AssignmentError(DomainError):
    pass


def is_trainer_of(user: User, course_id: int) -> bool:
    """The user is a trainer assigned to the course."""
    return user.has_role("trainer") and (
        db.session.scalar(
            select(CourseTrainer.id).where(
                CourseTrainer.course_id == course_id, CourseTrainer.user_id == user.id
            )
        )
        is not None
    )


def can_edit(user: User, course: Course) -> bool:
    """Administrators edit every course; a trainer the courses they are assigned to."""
    return user.has_role("admin") or is_trainer_of(user, course.id)


def trained_course_ids(user: User) -> list[int]:
    """Ids of the courses the user is an assigned trainer of."""
    if not user.has_role("trainer"):
        return []
    return list(
        db.session.scalars(select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id))
    )


def editable_courses(user: User) -> list[Course]:
    query = select(Course).options(selectinload(Course.texts)).order_by(Course.slug)
    if not user.has_role("admin"):
        query = query.join(CourseTrainer, CourseTrainer.course_id == Course.id).where(
            CourseTrainer.user_id == user.id
        )
    return list(db.session.scalars(query))


def trainers_of(course: Course) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(CourseTrainer, CourseTrainer.user_id == User.id)
            .where(CourseTrainer.course_id == course.id)
            .order_by(User.full_name)
        )
    )


def assign(course: Course, user: User) -> bool:
    """Assign the trainer; False if they already were."""
    if not user.has_role("trainer"):
        raise AssignmentError(
            gettext(
                "%(name)s is not a trainer: give them the trainer role first.", name=user.full_name
            )
        )
    if user in trainers_of(course):
        return False
    db.session.add(CourseTrainer(course_id=course.id, user_id=user.id))
    return True


def unassign(course: Course, user_id: int) -> None:
    db.session.execute(
        delete(CourseTrainer).where(
            CourseTrainer.course_id == course.id, CourseTrainer.user_id == user_id
        )
    )
