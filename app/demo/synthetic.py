"""Synthetic employees for demos and benchmarks (`flask demo seed --employees N`).

The data tell a consistent story, the same for the same seed: a course was completed only
after the person enrolled, and only by passing its quiz at the quiz's own pass mark; a quiz not
passed left the course open; evidence dates from the completion; and HR's assignments fall due
around today, some met, some overdue, some still ahead.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from app.auth.models import Institution, User
from app.auth.passwords import hash_password
from app.competences.models import Evidence
from app.core.database import local_today, utcnow
from app.courses.models import Course, CourseAssignment, CourseCompetence, Enrolment
from app.extensions import db
from app.framework.models import Competence, JobRole
from app.quizzes.models import Quiz, QuizAttempt

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
DEFAULT_PASS_MARK = 60.0  # percent, for a course without a quiz
MAX_SCORE = 10.0
HISTORY_DAYS = 300  # enrolments reach this far back


@dataclass(frozen=True)
class Taken:
    """One course of one person: when they enrolled, finished (None: still open), scored."""

    course_id: int
    enrolled: datetime
    completed: datetime | None
    percent: float


Row = dict[str, Any]
Ratings = list[tuple[int, int]]


def _draw_courses(
    rng: random.Random, courses: list[int], pass_marks: dict[int, float], now: datetime
) -> list[Taken]:
    drawn = []
    for course in rng.sample(courses, min(len(courses), rng.randint(0, 3))):
        mark = pass_marks.get(course, DEFAULT_PASS_MARK)
        enrolled = now - timedelta(days=rng.randint(2, HISTORY_DAYS), hours=rng.randint(0, 9))
        if rng.random() < 0.6:
            # Passed at the quiz's own mark, some days after enrolling, never in the future.
            days = (now - enrolled).days
            completed = enrolled + timedelta(days=rng.randint(1, max(1, min(60, days - 1))))
            percent = round(mark + rng.random() * (100 - mark), 1)
            drawn.append(Taken(course, enrolled, min(completed, now), percent))
        else:
            percent = round(rng.random() * mark * 0.99, 1)
            drawn.append(Taken(course, enrolled, None, percent))
    return drawn


def _draw_person(
    rng: random.Random,
    number: int,
    institution: Institution,
    roles: list[int],
    courses: list[int],
    competences: list[int],
    pass_marks: dict[int, float],
    now: datetime,
) -> tuple[Row, list[Taken], Ratings, list[tuple[int, date]]]:
    """One synthetic employee: who they are, their courses, ratings and assignments.

    Everything is drawn for every number, so the data do not depend on what existed.
    """
    person: Row = {
        "email": f"employee{number:05d}@{institution.slug}.demo.2sokrog.eu",
        "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "institution_id": institution.id,
        "job_role_id": rng.choice(roles) if roles else None,
        "language": "hr" if institution.country == "HR" else "sl",
        "is_active": True,
    }
    taken = _draw_courses(rng, courses, pass_marks, now)
    ratings = [(competence, rng.randint(0, 4)) for competence in competences
               if rng.random() < 0.3]  # fmt: skip
    assigned: list[tuple[int, date]] = []
    if courses and rng.random() < 0.3:
        # Due from a month ago to two months ahead: some met, some overdue, some to come.
        course = rng.choice([item.course_id for item in taken] or courses)
        assigned.append((course, now.date() + timedelta(days=rng.randint(-30, 60))))
    return person, taken, ratings, assigned


def _attempt(quiz_id: int, user_id: int, person: Row, taken: Taken, mark: float) -> Row:
    submitted = taken.completed or taken.enrolled + timedelta(days=1)
    return {
        "quiz_id": quiz_id, "user_id": user_id, "number": 1, "language": person["language"],
        "state": "finished", "started_at": submitted - timedelta(minutes=25),
        "submitted_at": submitted, "graded_at": submitted,
        "score": round(MAX_SCORE * taken.percent / 100, 2), "max_score": MAX_SCORE,
        "is_passed": taken.percent >= mark, "slots": [],
    }  # fmt: skip


def seed_employees(count: int, seed: int = 2026) -> int:
    """Create `count` synthetic employees with job roles, enrolments, quiz attempts, evidence
    and assignments, the same every time for the same seed; returns how many were new.

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
    quizzes = {row.course_id: row for row in db.session.scalars(select(Quiz))}
    pass_marks = {course_id: quiz.pass_mark for course_id, quiz in quizzes.items()}
    existing = set(db.session.scalars(select(User.email).where(User.email.like("employee%"))))
    weights = [KIND_WEIGHTS.get(row.kind, 1) for row in institutions]
    # Synthetic people never log in: one unguessable password hash serves them all.
    password_hash = hash_password(secrets.token_hex(24))
    # Midnight of today, so the same seed gives the same rows all day.
    now = datetime.combine(local_today(), datetime.min.time(), tzinfo=utcnow().tzinfo)
    people = []
    for number in range(1, count + 1):
        institution = rng.choices(institutions, weights)[0]
        drawn = _draw_person(rng, number, institution, roles, courses, competences, pass_marks,
                             now)  # fmt: skip
        person = drawn[0]
        person.update(password_hash=password_hash, created_at=now - timedelta(days=HISTORY_DAYS))
        if person["email"] not in existing:
            people.append(drawn)
    if not people:
        return 0
    db.session.execute(insert(User), [drawn[0] for drawn in people])
    ids = dict(db.session.execute(
        select(User.email, User.id).where(User.email.in_([p[0]["email"] for p in people]))
    ).all())  # fmt: skip
    tables = _records(people, ids, quizzes, claims)
    for model, rows in zip((Enrolment, QuizAttempt, Evidence, CourseAssignment), tables,
                           strict=True):  # fmt: skip
        if rows:
            db.session.execute(insert(model), rows)
    db.session.flush()
    return len(people)


def _records(
    people: list[tuple[Row, list[Taken], Ratings, list[tuple[int, date]]]],
    ids: dict[str, int],
    quizzes: dict[int, Quiz],
    claims: dict[int, list[tuple[int, int]]],
) -> tuple[list[Row], list[Row], list[Row], list[Row]]:
    """The enrolments, quiz attempts, evidence and assignments of the new people, as rows."""
    enrolments: list[Row] = []
    attempts: list[Row] = []
    evidence: list[Row] = []
    assignments: list[Row] = []
    for person, taken, ratings, assigned in people:
        user_id = ids[person["email"]]
        for item in taken:
            enrolments.append({
                "user_id": user_id, "course_id": item.course_id, "enrolled_at": item.enrolled,
                "completed_at": item.completed,
            })  # fmt: skip
            quiz = quizzes.get(item.course_id)
            if quiz is not None:
                attempts.append(_attempt(quiz.id, user_id, person, item, quiz.pass_mark))
            if item.completed:
                evidence.extend(
                    {"user_id": user_id, "competence_id": competence, "level": level,
                     "source": "course", "is_verified": True, "course_id": item.course_id,
                     "comment": "", "created_at": item.completed}
                    for competence, level in claims.get(item.course_id, [])
                )  # fmt: skip
        first = min((item.enrolled for item in taken), default=None)
        evidence.extend(
            {"user_id": user_id, "competence_id": competence, "level": level, "source": "rating",
             "is_verified": True, "comment": "", "created_at": first or person["created_at"]}
            for competence, level in ratings
        )  # fmt: skip
        assignments.extend(
            {"institution_id": person["institution_id"], "course_id": course_id,
             "user_id": user_id, "due_on": due_on, "created_at": person["created_at"]}
            for course_id, due_on in assigned
        )  # fmt: skip
    return enrolments, attempts, evidence, assignments
