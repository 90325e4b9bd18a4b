"""Creating the demo accounts, idempotently."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from app.auth.models import Institution, User
from app.auth.passwords import hash_password
from app.auth.services import (
    UserData,
    create_user,
    institution_by_slug,
    institutions,
    seed_institutions,
)
from app.competences.models import Evidence
from app.core.database import utcnow
from app.courses.models import Course, CourseCompetence, CourseTrainer, Enrolment
from app.extensions import db
from app.framework.models import Competence, JobRole
from app.quizzes.models import Quiz, QuizAttempt


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


FIRST_NAMES = ("Ana", "Marko", "Petra", "Ivan", "Maja", "Luka", "Nina", "Tomislav", "Eva", "Jure",
               "Ivana", "Matej", "Katarina", "Gregor", "Lucija", "Davor", "Tina", "Boris", "Sara",
               "Nikola")  # fmt: skip
LAST_NAMES = ("Novak", "Horvat", "Kovačič", "Babić", "Krajnc", "Marić", "Zupan", "Jurić",
              "Potočnik", "Knežević", "Vidmar", "Kovačević", "Golob", "Pavlović", "Kos", "Božić",
              "Mlakar", "Perić", "Turk", "Šimić")  # fmt: skip
# Most learners work where social activation happens: social-work centres and employment offices.
KIND_WEIGHTS = {"social-work-centre": 6, "employment-service": 6, "adult-education": 2,
                "social-enterprise": 2, "development-agency": 1, "research-centre": 1,
                "ministry": 1}  # fmt: skip


PASS_SCORE = 0.6  # the demo quizzes' pass mark, as a share of the points

# What is drawn for one synthetic employee, as rows for bulk inserts: the user's columns,
# their courses (course id, completed?, quiz score) and their ratings (competence id, level).
Row = dict[str, Any]
Plan = list[tuple[int, bool, float]]
Ratings = list[tuple[int, int]]


def _draw_person(
    rng: random.Random,
    number: int,
    institution: Institution,
    roles: list[int],
    courses: list[int],
    competences: list[int],
) -> tuple[Row, Plan, Ratings]:
    """One synthetic employee: who they are, their courses (completed?, quiz score), ratings.

    Everything is drawn for every number, so the data do not depend on what existed. A
    completed course had its quiz passed; an open one has a score below the pass mark.
    """
    person: Row = {
        "email": f"employee{number:05d}@{institution.slug}.demo.2sokrog.eu",
        "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "institution_id": institution.id,
        "job_role_id": rng.choice(roles) if roles else None,
        "language": "hr" if institution.country == "HR" else "sl",
        "is_active": True,
    }
    plan: Plan = []
    for course in rng.sample(courses, min(len(courses), rng.randint(0, 3))):
        completed, draw = rng.random() < 0.6, rng.random()
        score = PASS_SCORE + draw * (1 - PASS_SCORE) if completed else draw * PASS_SCORE
        plan.append((course, completed, score))
    ratings = [(competence, rng.randint(0, 4)) for competence in competences
               if rng.random() < 0.3]  # fmt: skip
    return person, plan, ratings


def _attempt(quiz_id: int, user_id: int, person: Row, score: float, now: datetime) -> Row:
    return {
        "quiz_id": quiz_id, "user_id": user_id, "number": 1, "language": person["language"],
        "state": "finished", "started_at": now, "submitted_at": now, "graded_at": now,
        "score": round(10 * score, 2), "max_score": 10.0, "is_passed": score >= PASS_SCORE,
        "slots": [],
    }  # fmt: skip


def seed_employees(count: int, seed: int = 2026) -> int:
    """Create `count` synthetic employees with job roles, enrolments, quiz attempts and
    evidence, the same every time for the same seed; returns how many were new.

    Written with bulk inserts so that thousands of employees take seconds, not minutes.
    """

    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    institutions = list(db.session.scalars(select(Institution).order_by(Institution.id)))
    roles = list(db.session.scalars(select(JobRole.id).order_by(JobRole.id)))
    competences = list(db.session.scalars(select(Competence.id).order_by(Competence.id)))
    courses = list(db.session.scalars(select(Course.id).where(Course.is_retired.is_(False))
                                      .order_by(Course.id)))  # fmt: skip
    claims: dict[int, list[tuple[int, int]]] = {}
    for row in db.session.scalars(select(CourseCompetence)):
        claims.setdefault(row.course_id, []).append((row.competence_id, row.level))
    quizzes = dict(db.session.execute(select(Quiz.course_id, Quiz.id)).all())
    existing = set(db.session.scalars(select(User.email).where(User.email.like("employee%"))))
    weights = [KIND_WEIGHTS.get(row.kind, 1) for row in institutions]
    # Synthetic people never log in: one unguessable password hash serves them all.
    password_hash = hash_password(secrets.token_hex(24))
    now = utcnow()
    people: list[tuple[Row, Plan, Ratings]] = []
    for number in range(1, count + 1):
        institution = rng.choices(institutions, weights)[0]
        person, plan, ratings = _draw_person(rng, number, institution, roles, courses, competences)
        person.update(password_hash=password_hash, created_at=now)
        if person["email"] not in existing:
            people.append((person, plan, ratings))
    if not people:
        return 0
    db.session.execute(insert(User), [person for person, _, _ in people])
    ids = dict(db.session.execute(
        select(User.email, User.id).where(User.email.in_([p["email"] for p, _, _ in people]))
    ).all())  # fmt: skip
    enrolments, attempts, evidence = _records(people, ids, quizzes, claims, now)
    for model, rows in ((Enrolment, enrolments), (QuizAttempt, attempts), (Evidence, evidence)):
        if rows:
            db.session.execute(insert(model), rows)
    db.session.flush()
    return len(people)


def _records(
    people: list[tuple[Row, Plan, Ratings]],
    ids: dict[str, int],
    quizzes: dict[int, int],
    claims: dict[int, list[tuple[int, int]]],
    now: datetime,
) -> tuple[list[Row], list[Row], list[Row]]:
    """The enrolments, quiz attempts and evidence of the new people, as rows to insert."""
    enrolments: list[Row] = []
    attempts: list[Row] = []
    evidence: list[Row] = []
    for person, plan, ratings in people:
        user_id = ids[person["email"]]
        for course_id, completed, score in plan:
            enrolments.append({"user_id": user_id, "course_id": course_id, "enrolled_at": now,
                               "completed_at": now if completed else None})  # fmt: skip
            if course_id in quizzes:
                attempts.append(_attempt(quizzes[course_id], user_id, person, score, now))
            if completed:
                evidence.extend(
                    {"user_id": user_id, "competence_id": competence, "level": level,
                     "source": "course", "is_verified": True, "course_id": course_id,
                     "comment": "", "created_at": now}
                    for competence, level in claims.get(course_id, [])
                )  # fmt: skip
        evidence.extend(
            {"user_id": user_id, "competence_id": competence, "level": level, "source": "rating",
             "is_verified": True, "comment": "", "created_at": now}
            for competence, level in ratings
        )  # fmt: skip
    return enrolments, attempts, evidence
