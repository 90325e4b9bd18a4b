"""The scenarios run in process through Flask's test client: status codes and SQL queries per
request. The CI smoke test asserts on these; `make bench` reports them beside the load figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.core.database import count_queries

# The most SQL statements a request of each kind may run, at any scale. A change that adds a
# query per lesson, per employee or per question shows up here, in CI, on both databases.
QUERY_BUDGET = {
    "H0": 0,
    # Steady state: the cards and course outlines are cached per content version (the first
    # request of a worker builds them: tests/courses/test_page_cache.py counts that one).
    "S1 catalogue anonymous": 1,
    "S1 catalogue logged in": 4,
    "S2 lesson": 3,
    # The learner's earlier attempts in one query, however many there are.
    "S3 quiz page": 8,
    "S3 start": 15,
    "S3 attempt page": 5,
    "S3 autosave": 5,
    # Grading, evidence of the tagged competences and, once passed, the course's completion
    # (enrolling on the way if the learner was not enrolled).
    "S3 submit": 22,
    # One more than the report's 10: the institution's units for the unit filter (HR sync).
    # The paged matrix: its page of people, their count, the summary row: its kept counts
    # read (one query), or, once in SUMMARY_MAX_AGE, read, counted and kept again (three).
    "S4 matrix": 15,
    # One query more per 1,000 employees (reports.EXPORT_CHUNK).
    "S4b matrix xlsx": 5,
    # Staff reports: aggregates in SQL, a page of rows; the same whatever the data.
    "S8 quiz statistics": 9,
    "S8 attempts": 11,
    "S8 progress": 13,
    # The page's ids sorted from narrow rows, then its fifty certificates read by id.
    "S8 certificates": 10,
    "S8 summary": 5,
}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FIELD_RE = re.compile(r'name="(q\d+)" value="([^"]+)"')
ESSAY_RE = re.compile(r'<textarea[^>]*name="(q\d+)"')


@dataclass
class Probe:
    """What one in-process scenario did: every request's status and SQL statement count."""

    name: str
    statuses: list[int] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def max_queries(self) -> int:
        return max(self.queries, default=0)

    def as_dict(self) -> dict:
        return {
            "requests": len(self.statuses),
            "queries_per_request": self.max_queries,
            "queries_constant": len(set(self.queries)) <= 1,
            "budget": QUERY_BUDGET.get(self.name),
            "errors": self.errors,
        }


def session_id(app: Flask, user_id: int) -> str:
    """What Flask-Login keeps in a logged-in user's session: their id and session token."""
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        return db.session.get(User, user_id).get_id()


class Session:
    """A test client logged in as one user, that counts the queries of every request."""

    def __init__(self, app: Flask, user_id: int | None, probes: dict[str, Probe]) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sl"
        # Over https with a referrer, as a browser: production marks the session cookie secure
        # and checks the referrer of every form posted over https.
        self.client.environ_base["wsgi.url_scheme"] = "https"
        self.client.environ_base["HTTP_REFERER"] = "https://localhost/"
        self.probes = probes
        if user_id is not None:
            with self.client.session_transaction() as session:
                session["_user_id"] = session_id(app, user_id)
                session["_fresh"] = True

    def warm(self, paths: list[str]) -> None:
        """Request each page once, unrecorded: a server that has been running has its caches
        filled, and the scenarios measure that steady state."""
        with self.app.app_context():
            for path in paths:
                self.client.get(path)

    def request(self, name: str, method: str, path: str, expect: int, **kwargs):
        probe = self.probes.setdefault(name, Probe(name))
        with self.app.app_context(), count_queries() as counter:
            response = self.client.open(path, method=method, **kwargs)
        probe.statuses.append(response.status_code)
        probe.queries.append(counter.count)
        if response.status_code != expect:
            probe.errors.append(f"{method} {path}: {response.status_code}, expected {expect}")
        return response


def learners(app: Flask, count: int) -> list[int]:
    """Synthetic employees spread over the institutions, the same ones on every run."""
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        total = db.session.scalar(select(func.count(User.id)).where(User.email.like("bench%")))
        step = max(1, (total or 0) // max(1, count))
        return list(
            db.session.scalars(select(User.id).where(User.email.like("bench%")).order_by(User.id))
        )[::step][:count]


def lesson_paths(app: Flask) -> list[str]:
    from app.courses.models import Course, Lesson
    from app.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(Course.slug, Lesson.slug)
            .join(Lesson)
            .where(Course.is_retired.is_(False), Lesson.is_retired.is_(False))
            .order_by(Course.id, Lesson.position)
        ).all()
    return [f"/courses/{course}/lessons/{lesson}" for course, lesson in rows]


def course_slugs(app: Flask) -> list[str]:
    from app.courses.models import Course
    from app.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(Course.slug).order_by(Course.id)))


def hr_of_largest_institution(app: Flask) -> tuple[int, int]:
    """(HR user id, employees) of the institution with the most staff."""
    from app.auth.models import User, UserRole
    from app.extensions import db

    with app.app_context():
        institution_id, staff = db.session.execute(
            select(User.institution_id, func.count(User.id))
            .group_by(User.institution_id)
            .order_by(func.count(User.id).desc(), User.institution_id)
            .limit(1)
        ).one()
        hr = db.session.scalar(
            select(User.id)
            .join(UserRole)
            .where(User.institution_id == institution_id, UserRole.role == "hr")
            .order_by(User.id)
        )
        return hr, staff


def run_h0(app: Flask, probes: dict[str, Probe]) -> None:
    Session(app, None, probes).request("H0", "GET", "/healthz", 200)


def run_s1(app: Flask, probes: dict[str, Probe], users: list[int]) -> None:
    for user_id in [None, *users]:
        session = Session(app, user_id, probes)
        # Readers have their own languages: each warms the cards of theirs.
        session.warm(["/courses/"])
        name = "S1 catalogue anonymous" if user_id is None else "S1 catalogue logged in"
        session.request(name, "GET", "/courses/", 200)


def run_s2(app: Flask, probes: dict[str, Probe], users: list[int], lessons: int = 8) -> None:
    """Each learner reads lessons spread over every course."""
    paths = lesson_paths(app)
    step = max(1, len(paths) // lessons)
    for user_id in users:
        session = Session(app, user_id, probes)
        # Learners read in their own languages: each warms the outlines of theirs.
        session.warm(paths[::step][:lessons])
        for path in paths[::step][:lessons]:
            session.request("S2 lesson", "GET", path, 200)


def answers_from(html: str) -> dict[str, str]:
    """The first option of every question on an attempt page: a valid answer to each."""
    found: dict[str, str] = {}
    for name, value in FIELD_RE.findall(html):
        found.setdefault(name, value)
    for name in ESSAY_RE.findall(html):  # an essay: a few words of text
        found.setdefault(name, "Načrt aktivacije pripravimo skupaj z uporabnikom.")
    return found


def run_s3(app: Flask, probes: dict[str, Probe], users: list[int], saves: int = 10) -> None:
    """Each learner starts an attempt of 10 questions, autosaves answer by answer, submits."""
    slugs = course_slugs(app)
    for number, user_id in enumerate(users):
        slug = slugs[number % len(slugs)]
        session = Session(app, user_id, probes)
        page = session.request("S3 quiz page", "GET", f"/courses/{slug}/quiz", 200)
        token = CSRF_RE.search(page.get_data(as_text=True))
        if token is None:
            probes["S3 quiz page"].errors.append(f"no CSRF token on the quiz page of {slug}")
            continue
        started = session.request(
            "S3 start", "POST", f"/courses/{slug}/quiz/start", 302,
            data={"csrf_token": token.group(1)},
        )  # fmt: skip
        attempt_path = started.headers.get("Location", "")
        attempt = session.request("S3 attempt page", "GET", attempt_path, 200)
        html = attempt.get_data(as_text=True)
        csrf = CSRF_RE.search(html)
        answers = answers_from(html)
        if csrf is None or len(answers) != 10:
            probes["S3 attempt page"].errors.append(
                f"{attempt_path}: {len(answers)} questions, expected 10"
            )
            continue
        for name, value in list(answers.items())[:saves]:
            saved = session.request(
                "S3 autosave", "POST", f"{attempt_path}/save", 200,
                data={"csrf_token": csrf.group(1), name: value, f"{name}-present": "1"},
                headers={"Accept": "application/json"},
            )  # fmt: skip
            if saved.is_json and not saved.get_json().get("saved"):
                probes["S3 autosave"].errors.append(f"{attempt_path}: not saved")
        session.request(
            "S3 submit", "POST", f"{attempt_path}/submit", 302,
            data={"csrf_token": csrf.group(1), **answers},
        )  # fmt: skip


def run_s4(app: Flask, probes: dict[str, Probe], hr: int, repeat: int = 2) -> None:
    session = Session(app, hr, probes)
    # Steady state, as a server that has been running: the summary row's counts are kept.
    session.warm(["/hr/matrix"])
    for _ in range(repeat):
        session.request("S4 matrix", "GET", "/hr/matrix", 200)
    session.request("S4b matrix xlsx", "GET", "/hr/matrix.xlsx", 200)


# Issue 20: a page of a staff list stays small however large the data.
MAX_PAGE_BYTES = 300_000
S8_PAGES = {
    "S8 quiz statistics": "/courses/{slug}/quiz/statistics",
    "S8 attempts": "/courses/{slug}/quiz/attempts",
    "S8 progress": "/courses/{slug}/progress",
}


def staff_of_busiest_course(app: Flask) -> tuple[int, int, str]:
    """(trainer id, administrator id, slug) for the course with the most attempts: a trainer
    assigned to it and an administrator of the lead partner, made if the data has none."""
    from app.auth.models import Institution, User, UserRole
    from app.courses.models import Course, CourseTrainer
    from app.extensions import db
    from app.quizzes.models import Quiz, QuizAttempt

    with app.app_context():
        course_id, slug = db.session.execute(
            select(Course.id, Course.slug)
            .join(Quiz, Quiz.course_id == Course.id)
            .join(QuizAttempt, QuizAttempt.quiz_id == Quiz.id)
            .group_by(Course.id, Course.slug)
            .order_by(func.count(QuizAttempt.id).desc(), Course.id)
            .limit(1)
        ).one()
        lead = db.session.scalar(select(Institution).where(Institution.partner_role == "lead"))
        made = {}
        for role, email in (("trainer", "trainer@bench.2sokrog.eu"),
                            ("admin", "admin@bench.2sokrog.eu")):  # fmt: skip
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                user = User(email=email, full_name=f"Bench {role}", institution_id=lead.id,
                            language="sl", password_hash="!", is_active=True)  # noqa: S106  # fmt: skip
                db.session.add(user)
                db.session.flush()
                db.session.add(UserRole(user_id=user.id, role=role))
            made[role] = user.id
        if (
            db.session.scalar(
                select(CourseTrainer.id).where(
                    CourseTrainer.course_id == course_id, CourseTrainer.user_id == made["trainer"]
                )
            )
            is None
        ):
            db.session.add(CourseTrainer(course_id=course_id, user_id=made["trainer"]))
        db.session.commit()
        return made["trainer"], made["admin"], slug


def run_s8(
    app: Flask, probes: dict[str, Probe], hr: int, trainer: int, admin: int, slug: str
) -> None:
    """Staff reports on the busiest data: a trainer's statistics, attempts and progress of
    the course with the most attempts; HR's certificates; the summary across institutions."""
    pages = [(trainer, name, path.format(slug=slug)) for name, path in S8_PAGES.items()]
    pages += [(hr, "S8 certificates", "/hr/certificates"),
              (admin, "S8 summary", "/reports/summary")]  # fmt: skip
    for user_id, name, path in pages:
        session = Session(app, user_id, probes)
        session.warm([path])
        for _ in range(2):
            response = session.request(name, "GET", path, 200)
            if len(response.data) > MAX_PAGE_BYTES:
                probes[name].errors.append(f"{path}: {len(response.data)} bytes")


def run_all(app: Flask, learners_count: int = 5) -> dict[str, Probe]:
    """Every in-process scenario on the data already in the database."""
    probes: dict[str, Probe] = {}
    users = learners(app, learners_count)
    hr, _staff = hr_of_largest_institution(app)
    steps: list[Callable[[], None]] = [
        lambda: run_h0(app, probes),
        lambda: run_s1(app, probes, users[:2]),
        lambda: run_s2(app, probes, users),
        lambda: run_s3(app, probes, users),
        lambda: run_s4(app, probes, hr),
        lambda: run_s8(app, probes, hr, *staff_of_busiest_course(app)),
    ]
    for step in steps:
        step()
    return probes
