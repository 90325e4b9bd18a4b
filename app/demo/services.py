"""Creating the demo accounts, idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.auth.services import (
    UserData,
    create_user,
    institution_by_slug,
    institutions,
    seed_institutions,
)
from app.core.database import local_today
from app.courses.models import Course, CourseAssignment, CourseTrainer
from app.extensions import db
from app.framework.models import JobRole


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    full_name: str
    institution: str
    language: str
    roles: tuple[str, ...]
    job_role: str | None = None


# Demo only: `flask demo seed` refuses to run under the production configuration.
DEMO_ACCOUNTS = (
    DemoAccount("learner@demo.2sokrog.eu", "zelena-lipa-ob-potoku", "Ana Novak", "csd-lasko",
                "sl", (), "social-worker-csd"),
    DemoAccount("trainer@demo.2sokrog.eu", "modra-reka-pod-mostom", "Marko Horvat",
                "czss-cakovec", "hr", ("trainer",)),
    DemoAccount("hr@demo.2sokrog.eu", "rumeno-polje-za-hribom", "Petra Kos", "csd-lasko", "sl",
                ("hr",)),
    DemoAccount("admin@demo.2sokrog.eu", "sivi-kamen-na-vrhu", "Ivana Babić", "bistra-ptuj",
                "en", ("admin",)),
)  # fmt: skip


def seed_demo() -> list[DemoAccount]:
    """Create the partner institutions and the demo accounts that do not exist yet."""
    seed_institutions()
    existing = set(db.session.scalars(select(User.email)))
    roles = {row.code: row.id for row in db.session.scalars(select(JobRole))}
    for account in DEMO_ACCOUNTS:
        if account.email in existing:
            continue
        institution = institution_by_slug(account.institution)
        if institution is None:  # a partner seed_institutions() did not make: a wrong slug
            raise LookupError(f"no institution {account.institution} for {account.email}")
        data = UserData(
            email=account.email,
            full_name=account.full_name,
            institution_id=institution.id,
            language=account.language,
            job_role_id=roles.get(account.job_role or ""),
            roles=set(account.roles),
        )
        create_user(data, account.password, source="demo")
    _assign_demo_trainers()
    _assign_demo_learner()
    # Certificates name a signatory; real ones are set with `flask institutions signatory`.
    for institution in institutions():
        if not institution.signatory_name:
            institution.signatory_name = "Demo Signatory"
            institution.signatory_title = "Director (demo)"
    db.session.flush()
    return list(DEMO_ACCOUNTS)


# The demo trainer looks after the introductory course and their own institution's courses.
DEMO_TRAINER_COURSES = ("social-activation-basics",)


def _assign_demo_trainers() -> None:
    db.session.flush()
    for account in DEMO_ACCOUNTS:
        if "trainer" not in account.roles:
            continue
        # Created by seed_demo() just before, or on an earlier run.
        user = db.session.scalars(select(User).where(User.email == account.email)).one()
        assigned = set(
            db.session.scalars(
                select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id)
            )
        )
        for course in db.session.scalars(select(Course)):
            is_theirs = course.institution_id == user.institution_id
            if (is_theirs or course.slug in DEMO_TRAINER_COURSES) and course.id not in assigned:
                db.session.add(CourseTrainer(course_id=course.id, user_id=user.id))


# HR assigned the demo learner the introductory course, due in two weeks: the dashboard shows
# it under "Assigned to you" and HR's list under upcoming.
DEMO_ASSIGNMENT = ("learner@demo.2sokrog.eu", "hr@demo.2sokrog.eu", "social-activation-basics", 14)


def _assign_demo_learner() -> None:
    db.session.flush()
    learner_email, hr_email, slug, days = DEMO_ASSIGNMENT
    learner = db.session.scalars(select(User).where(User.email == learner_email)).one()
    hr = db.session.scalars(select(User).where(User.email == hr_email)).one()
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:  # the courses are not loaded yet
        return
    exists = db.session.scalar(
        select(CourseAssignment.id).where(
            CourseAssignment.user_id == learner.id, CourseAssignment.course_id == course.id
        )
    )
    if exists is None:
        db.session.add(
            CourseAssignment(
                institution_id=learner.institution_id,
                course_id=course.id,
                user_id=learner.id,
                due_on=local_today() + timedelta(days=days),
                assigned_by_id=hr.id,
            )
        )
