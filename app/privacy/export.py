"""Everything held about a person, as one JSON document and a readable HTML page (GDPR art. 15
and 20): profile, enrolments, attempts with answers, evidence, certificates, assignments, the
e-mails sent to them, their learning records and the audit entries about them."""

from __future__ import annotations

import json
from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.labels import action_label
from app.audit.services import entries_about
from app.auth.models import User
from app.certificates.models import Certificate
from app.competences.models import Evidence
from app.core import events
from app.core.database import utcnow
from app.core.mail import MailMessage
from app.core.storage import storage
from app.courses.models import Course, CourseAssignment, Enrolment, Lesson, LessonProgress
from app.extensions import db
from app.privacy.models import FAILED, READY, DataExport
from app.quizzes.models import Quiz, QuizAttempt
from app.xapi.models import XapiActor, XapiStatement

FORMAT_VERSION = 1


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "institution": user.institution.name,
        "job_role": user.job_role.code if user.job_role else None,
        "language": user.language,
        "roles": sorted(user.roles),
        "is_active": user.is_active,
        "created_at": _when(user.created_at),
        "last_login_at": _when(user.last_login_at),
        "notification_optout": list(user.notification_optout or []),
    }


def _learning(user_id: int) -> dict[str, Any]:
    slugs = dict(db.session.execute(select(Course.id, Course.slug)).all())
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.user_id == user_id))
    lessons = db.session.execute(
        select(Lesson.course_id, Lesson.slug, LessonProgress.completed_at)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user_id)
        .order_by(LessonProgress.completed_at)
    )
    assignments = db.session.scalars(
        select(CourseAssignment).where(CourseAssignment.user_id == user_id)
    )
    return {
        "enrolments": [
            {
                "course": slugs.get(row.course_id),
                "enrolled_at": _when(row.enrolled_at),
                "completed_at": _when(row.completed_at),
            }
            for row in enrolments
        ],
        "lessons_completed": [
            {"course": slugs.get(course_id), "lesson": slug, "completed_at": _when(done)}
            for course_id, slug, done in lessons
        ],
        "assignments": [
            {
                "course": slugs.get(row.course_id),
                "due_on": row.due_on.isoformat(),
                "assigned_at": _when(row.created_at),
            }
            for row in assignments
        ],
    }


def _attempts(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id)
        .options(
            selectinload(QuizAttempt.answers),
            selectinload(QuizAttempt.quiz).selectinload(Quiz.course),
        )
        .order_by(QuizAttempt.started_at)
    )
    return [
        {
            "course": attempt.quiz.course.slug,
            "number": attempt.number,
            "language": attempt.language,
            "state": attempt.state,
            "started_at": _when(attempt.started_at),
            "submitted_at": _when(attempt.submitted_at),
            "graded_at": _when(attempt.graded_at),
            "score": attempt.score,
            "max_score": attempt.max_score,
            "is_passed": attempt.is_passed,
            "answers": [
                {
                    "question": attempt.slots[answer.slot]["key"]
                    if answer.slot < len(attempt.slots)
                    else None,
                    "response": (answer.response or {}).get("value"),
                    "fraction": answer.fraction,
                    "comment": answer.comment,
                    "graded_at": _when(answer.graded_at),
                }
                for answer in attempt.answers
            ],
        }
        for attempt in rows
    ]


def _evidence(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Evidence).where(Evidence.user_id == user_id).order_by(Evidence.created_at)
    )
    return [
        {
            "id": row.id,
            "competence": row.competence.code,
            "level": row.level,
            "source": row.source,
            "is_verified": row.is_verified,
            "recorded_by": row.recorded_by.full_name if row.recorded_by else None,
            "comment": row.comment,
            "supersedes": row.supersedes_id,
            "created_at": _when(row.created_at),
            "expires_at": _when(row.expires_at),
        }
        for row in rows
    ]


def _certificates(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.issued_at)
    )
    return [
        {
            "serial": row.serial,
            "verification_code": row.code,
            "learner_name": row.learner_name,
            "course_titles": row.course_titles,
            "issued_on": row.issued_on.isoformat(),
            "expires_on": row.expires_on.isoformat() if row.expires_on else None,
            "revoked_at": _when(row.revoked_at),
            "credential": row.credential,
        }
        for row in rows
    ]


def _mails(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(MailMessage).where(MailMessage.user_id == user_id).order_by(MailMessage.id)
    )
    return [
        {
            "to": row.recipient,
            "kind": row.kind,
            "subject": row.subject,
            "status": row.status,
            "created_at": _when(row.created_at),
            "sent_at": _when(row.sent_at),
            "body": row.body_text or None,
        }
        for row in rows
    ]


def _learning_records(user_id: int) -> dict[str, Any]:
    pseudonym = db.session.scalar(select(XapiActor.pseudonym).where(XapiActor.user_id == user_id))
    rows = db.session.scalars(
        select(XapiStatement).where(XapiStatement.user_id == user_id).order_by(XapiStatement.id)
    )
    return {
        "pseudonym": pseudonym,
        "statements": [
            {
                "id": row.statement_id,
                "verb": row.verb,
                "status": row.status,
                "object": row.statement.get("object", {}).get("id"),
                "created_at": _when(row.created_at),
            }
            for row in rows
        ],
    }


def _audit(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "seq": entry.seq,
            "at": _when(entry.created_at),
            "action": entry.action,
            "label": action_label(entry.action),
            "actor_id": entry.actor_id,
            "subject_id": entry.subject_id,
            "object": f"{entry.object_type} {entry.object_id or ''}".strip(),
            "details": json.loads(entry.details or "{}"),
        }
        for entry in entries_about(user_id)
    ]


def collect(user: User) -> dict[str, Any]:
    """Everything held about the person, as plain JSON values."""
    return {
        "format": FORMAT_VERSION,
        "made_at": _when(utcnow()),
        "controller": user.institution.name,
        "profile": _profile(user),
        "learning": _learning(user.id),
        "attempts": _attempts(user.id),
        "evidence": _evidence(user.id),
        "certificates": _certificates(user.id),
        "emails": _mails(user.id),
        "learning_records": _learning_records(user.id),
        "audit": _audit(user.id),
    }


def render_files(user: User) -> tuple[bytes, bytes]:
    """The export as JSON and as an HTML page, both in the person's language."""
    with force_locale(user.language):
        data = collect(user)
        html = render_template("privacy/export.html", data=data)
    as_json = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return as_json, html.encode()


def folder(export_id: int) -> str:
    """The export's storage prefix (the local folder or the database, STORAGE_BACKEND)."""
    return f"exports/{export_id}"


def file_key(export: DataExport, kind: str) -> str:
    return f"{folder(export.id)}/personal-data.{kind}"


def build(export: DataExport) -> None:
    """Write the export's files (JSON and HTML); the person may download them."""
    user = db.session.get(User, export.user_id)
    if user is None:
        export.status = FAILED
        return
    as_json, html = render_files(user)
    # Written with the row's transaction: a READY export always has its files.
    storage().write_on_commit(file_key(export, "json"), as_json)
    storage().write_on_commit(file_key(export, "html"), html)
    export.status, export.finished_at, export.size = READY, utcnow(), len(as_json) + len(html)
    events.personal_data_exported.send(None, user_id=user.id, by_id=user.id, export_id=export.id)


def remove_files(export_id: int) -> None:
    storage().delete_prefix(folder(export_id))
