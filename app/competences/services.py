"""Evidence of competences: records, current levels, a learner's profile against targets."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from app.competences.models import EVIDENCE_SOURCES, Evidence
from app.core import events
from app.core.database import utcnow
from app.core.errors import DomainError
from app.courses.models import Course, CourseCompetence, Enrolment
from app.extensions import db
from app.framework.models import Competence, CompetenceArea
from app.framework.services import targets_for

# --- Evidence and current levels ---------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    years, month_index = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + years, month_index + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


@dataclass(frozen=True)
class EvidenceInput:
    """What any source (a course, a quiz, a rating form, the learner) tells about a level."""

    user_id: int
    competence_id: int
    level: int
    source: str
    course_id: int | None = None
    attempt_id: int | None = None
    recorded_by_id: int | None = None
    comment: str = ""
    supersedes_id: int | None = None


class EvidenceError(DomainError):
    pass


def record_evidence(items: list[EvidenceInput], now: datetime | None = None) -> list[Evidence]:
    """Keep evidence, immutably; the same few queries whatever the number of items. The records
    come back in no particular order."""
    if not items:
        return []
    now = now or utcnow()
    validity = dict(
        db.session.execute(
            select(Competence.id, Competence.validity_months).where(
                Competence.id.in_({item.competence_id for item in items})
            )
        ).all()
    )
    rows = []
    for item in items:
        if item.source not in EVIDENCE_SOURCES:
            raise EvidenceError(f"unknown evidence source {item.source!r}")
        if item.competence_id not in validity:
            raise EvidenceError(f"unknown competence {item.competence_id}")
        if not 0 <= item.level <= 4:
            raise EvidenceError("a level is a whole number from 0 to 4")
        months = validity[item.competence_id]
        rows.append(
            {
                "user_id": item.user_id,
                "competence_id": item.competence_id,
                "level": item.level,
                "source": item.source,
                "is_verified": item.source != "self",
                "course_id": item.course_id,
                "attempt_id": item.attempt_id,
                "recorded_by_id": item.recorded_by_id,
                "comment": item.comment.strip(),
                "supersedes_id": item.supersedes_id,
                "created_at": now,
                "expires_at": add_months(now, months) if months else None,
            }
        )
    # INSERT ... RETURNING in batches: the unit of work (and RETURNING in parameter order on
    # SQLite) inserts one row per statement, a query per competence a quiz tested. A batch
    # holds rows with the same empty columns, so rows that expire go apart from those that
    # do not: sorted, they make two statements at most.
    rows.sort(key=lambda row: tuple(value is None for value in row.values()))
    # A course or an attempt is evidence once (unique indexes): a second record of the same
    # completion, from a request that raced the first, is skipped rather than an error.
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(Evidence)
    statement = statement.on_conflict_do_nothing()
    recorded = list(db.session.scalars(statement.returning(Evidence), rows))
    if recorded:
        events.evidence_recorded.send(
            None,
            records=[
                {
                    "evidence_id": row.id,
                    "user_id": row.user_id,
                    "competence_id": row.competence_id,
                    "level": row.level,
                    "source": row.source,
                    "recorded_by_id": row.recorded_by_id,
                    "supersedes_id": row.supersedes_id,
                    "is_verified": row.is_verified,
                }
                for row in recorded
            ],
        )
    return recorded


def supersede(old: Evidence, level: int, recorded_by_id: int, comment: str) -> Evidence:
    """Correct a rating: a new record that replaces the old one; both stay in the history."""
    if old.source not in ("rating", "self"):
        raise EvidenceError("only ratings and self-assessments are corrected by hand")
    taken = db.session.scalar(select(Evidence.id).where(Evidence.supersedes_id == old.id))
    if taken is not None:
        raise EvidenceError("this record has already been corrected")
    (row,) = record_evidence(
        [
            EvidenceInput(
                user_id=old.user_id,
                competence_id=old.competence_id,
                level=level,
                source=old.source,
                recorded_by_id=recorded_by_id,
                comment=comment,
                supersedes_id=old.id,
            )
        ]
    )
    return row


@dataclass
class LevelState:
    """A learner's standing in one competence."""

    level: int = 0  # highest verified, unexpired, not superseded; 0 without evidence
    self_level: int | None = None  # latest self-assessment, shown beside, never counted


def current_levels(
    user_ids: list[int], now: datetime | None = None
) -> dict[tuple[int, int], LevelState]:
    """(user id, competence id) -> LevelState for these users; one query whatever their number."""
    now = now or utcnow()
    if not user_ids:
        return {}
    # Expiry is decided in SQL and rows are plain tuples: an export of every employee reads
    # hundreds of thousands of rows, and converting each timestamp to Python was half its time.
    is_current = or_(Evidence.expires_at.is_(None), Evidence.expires_at > now)
    db.session.flush()  # the connection below does not autoflush as session.execute does
    rows = (
        db.session.connection()
        .execute(
            select(
                Evidence.id,
                Evidence.user_id,
                Evidence.competence_id,
                Evidence.level,
                Evidence.is_verified,
                Evidence.supersedes_id,
                is_current,
            )
            .where(Evidence.user_id.in_(user_ids))
            # Each person's records oldest first is all the loop needs, and it is the order of
            # ix_evidence_user_levels: no sort of every record read (a quarter of the time).
            .order_by(Evidence.user_id, Evidence.created_at, Evidence.id)
        )
        .all()
    )
    superseded = {row[5] for row in rows if row[5]}
    states: dict[tuple[int, int], LevelState] = {}
    for evidence_id, user_id, competence_id, level, is_verified, _, current in rows:
        if evidence_id in superseded:
            continue
        key = (user_id, competence_id)
        state = states.get(key)
        if state is None:
            state = states[key] = LevelState()
        if not is_verified:
            state.self_level = level  # rows come oldest first: the latest wins
        elif current and level > state.level:
            state.level = level
    return states


def evidence_history(user_id: int, competence_id: int | None = None) -> list[Evidence]:
    query = (
        select(Evidence)
        .where(Evidence.user_id == user_id)
        .options(
            selectinload(Evidence.competence),
            selectinload(Evidence.course).selectinload(Course.texts),
            selectinload(Evidence.recorded_by),
        )
        .order_by(Evidence.created_at.desc(), Evidence.id.desc())
    )
    if competence_id is not None:
        query = query.where(Evidence.competence_id == competence_id)
    return list(db.session.scalars(query))


def evidence_from_course(user_id: int, course_id: int, claims: list[tuple[int, int]]) -> None:
    """A completed course gives each competence it develops at the level it names."""
    record_evidence(
        [
            EvidenceInput(user_id, competence_id, level, "course", course_id=course_id)
            for competence_id, level in claims
        ]
    )


def evidence_from_quiz(
    user_id: int,
    attempt_id: int,
    course_id: int,
    scored: list[tuple[int, int, float, float]],
    threshold: float,
) -> None:
    """Questions tagged with a competence: a share of their points at or above `threshold`
    gives the highest level those questions test. `scored` holds (competence id, level,
    fraction, points) for each tagged question of the attempt."""
    totals: dict[int, list[float]] = {}
    for competence_id, level, fraction, points in scored:
        total = totals.setdefault(competence_id, [0.0, 0.0, 0])
        total[0] += fraction * points
        total[1] += points
        total[2] = max(total[2], level)
    record_evidence(
        [
            EvidenceInput(
                user_id,
                competence_id,
                int(level),
                "quiz",
                course_id=course_id,
                attempt_id=attempt_id,
            )
            for competence_id, (earned, possible, level) in totals.items()
            if possible and earned / possible + 1e-9 >= threshold and level > 0
        ]
    )


# --- What a learner sees -----------------------------------------------------------------


@dataclass
class CompetenceRow:
    competence: Competence
    state: LevelState
    target: int | None
    courses: list[Course]  # courses that develop the competence to the target or beyond

    @property
    def gap(self) -> int:
        return max(0, (self.target or 0) - self.state.level)

    @property
    def is_met(self) -> bool:
        return self.target is None or self.state.level >= self.target


def learner_profile(user_id: int, job_role_id: int | None) -> list[CompetenceRow]:
    """Every active competence with the learner's level, target, gap and the courses that
    close the gap; a fixed number of queries."""

    competences = list(
        db.session.scalars(
            select(Competence)
            .where(Competence.is_retired.is_(False))
            .options(selectinload(Competence.area))
            .join(CompetenceArea)
            .order_by(CompetenceArea.position, Competence.position)
        )
    )
    levels = current_levels([user_id])
    targets = targets_for(job_role_id)
    completed = set(
        db.session.scalars(
            select(Enrolment.course_id).where(
                Enrolment.user_id == user_id, Enrolment.completed_at.is_not(None)
            )
        )
    )
    offers: dict[int, list[tuple[int, Course]]] = {}
    for claim in db.session.scalars(
        select(CourseCompetence)
        .join(Course)
        .where(Course.is_retired.is_(False))
        .options(selectinload(CourseCompetence.course).selectinload(Course.texts))
    ):
        if claim.course_id not in completed:
            offers.setdefault(claim.competence_id, []).append((claim.level, claim.course))
    rows = []
    for competence in competences:
        state = levels.get((user_id, competence.id), LevelState())
        target = targets.get(competence.id)
        wanted = max(state.level + 1, target or 0)
        courses = [course for level, course in offers.get(competence.id, []) if level >= wanted]
        rows.append(CompetenceRow(competence, state, target, courses if target else []))
    return rows
