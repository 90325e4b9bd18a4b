"""The audit trail's receivers: one entry per act, from the domain events of every package."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blinker import NamedSignal
from flask import Flask

from app.audit.chain import record
from app.certificates.models import Certificate, InstitutionKey
from app.core import events
from app.courses.models import Course
from app.extensions import db


def _person(action: str, user_id: int | None, actor_id: int | None, **details: Any) -> None:
    record(
        action,
        actor_id=actor_id,
        subject_id=user_id,
        object_type="user" if user_id is not None else "",
        object_id=user_id,
        details=details,
    )


def on_logged_in(_sender: object, *, user_id: int, method: str, **_: Any) -> None:
    _person("login", user_id, user_id, method=method)


def on_login_failed(_sender: object, *, user_id: int | None, reason: str, **_: Any) -> None:
    _person("login_failed", user_id, None, reason=reason)


def on_user_created(
    _sender: object, *, user_id: int, by_id: int | None, source: str, **_: Any
) -> None:
    _person("user_created", user_id, by_id, source=source)


def on_roles_changed(
    _sender: object,
    *,
    user_id: int,
    by_id: int | None,
    added: list[str],
    removed: list[str],
    **_: Any,
) -> None:
    _person("roles_changed", user_id, by_id, added=added, removed=removed)


def on_deactivated(_sender: object, *, user_id: int, by_id: int | None, **_: Any) -> None:
    _person("user_deactivated", user_id, by_id)


def on_erased(_sender: object, *, user_id: int, by_id: int | None, reason: str, **_: Any) -> None:
    _person("user_erased", user_id, by_id, reason=reason)


def on_erasure_held(
    _sender: object, *, user_id: int, by_id: int | None, open_assignments: int, **_: Any
) -> None:
    _person("erasure_held", user_id, by_id, open_assignments=open_assignments)


def on_exported(
    _sender: object, *, user_id: int, by_id: int | None, export_id: int | None, **_: Any
) -> None:
    _person("personal_data_exported", user_id, by_id, export_id=export_id)


def on_attempts_purged(_sender: object, *, count: int, before: Any, **_: Any) -> None:
    record("attempts_purged", details={"count": count, "before": before.isoformat()})


def on_course_published(
    _sender: object,
    *,
    course_id: int,
    revision: int,
    author_id: int | None,
    source: str,
    **_: Any,
) -> None:
    course = db.session.get(Course, course_id)
    record(
        "course_published",
        actor_id=author_id,
        institution_id=course.institution_id if course else None,
        object_type="course",
        object_id=course_id,
        details={"revision": revision, "source": source},
    )


def _certificate(action: str, certificate_id: int, actor_id: int | None, **details: Any) -> None:
    certificate = db.session.get(Certificate, certificate_id)
    user_id = certificate.user_id if certificate else None
    record(
        action,
        actor_id=actor_id,
        subject_id=user_id,
        institution_id=certificate.institution_id if certificate else None,
        object_type="certificate",
        object_id=certificate_id,
        details={"serial": certificate.serial if certificate else "", **details},
    )


def on_certificate_issued(
    _sender: object,
    *,
    certificate_id: int,
    issued_by_id: int | None,
    replaces_id: int | None = None,
    **_: Any,
) -> None:
    if replaces_id is None:
        _certificate("certificate_issued", certificate_id, issued_by_id)
    else:
        _certificate("certificate_replaced", certificate_id, issued_by_id, replaces_id=replaces_id)


def on_certificate_revoked(
    _sender: object, *, certificate_id: int, revoked_by_id: int, **_: Any
) -> None:
    _certificate("certificate_revoked", certificate_id, revoked_by_id)


def on_certificate_reissued(_sender: object, *, certificate_id: int, key_id: int, **_: Any) -> None:
    _certificate("certificate_reissued", certificate_id, None, key_id=key_id)


def _key(action: str, key_id: int, institution_id: int, by_id: int | None) -> None:
    key = db.session.get(InstitutionKey, key_id)
    record(
        action,
        actor_id=by_id,
        institution_id=institution_id,
        object_type="signing_key",
        object_id=key_id,
        details={"public_key": key.public_key_multibase if key else ""},
    )


def on_key_created(
    _sender: object, *, key_id: int, institution_id: int, by_id: int | None, **_: Any
) -> None:
    _key("key_created", key_id, institution_id, by_id)


def on_key_retired(
    _sender: object, *, key_id: int, institution_id: int, by_id: int | None, **_: Any
) -> None:
    _key("key_retired", key_id, institution_id, by_id)


def on_key_compromised(
    _sender: object, *, key_id: int, institution_id: int, by_id: int | None, **_: Any
) -> None:
    _key("key_compromised", key_id, institution_id, by_id)


def on_answer_graded(
    _sender: object,
    *,
    answer_id: int,
    attempt_id: int,
    learner_id: int,
    grader_id: int,
    fraction: float,
    **_: Any,
) -> None:
    record(
        "essay_graded",
        actor_id=grader_id,
        subject_id=learner_id,
        object_type="answer",
        object_id=answer_id,
        details={"attempt_id": attempt_id, "fraction": fraction},
    )


def on_attempt_graded(
    _sender: object,
    *,
    attempt_id: int,
    user_id: int,
    course_id: int,
    is_passed: bool,
    **_: Any,
) -> None:
    record(
        "attempt_graded",
        subject_id=user_id,
        object_type="attempt",
        object_id=attempt_id,
        details={"course_id": course_id, "is_passed": is_passed},
    )


def on_evidence(_sender: object, *, records: list[dict[str, Any]], **_: Any) -> None:
    for item in records:
        record(
            "evidence_superseded" if item["supersedes_id"] else "evidence_added",
            actor_id=item["recorded_by_id"],
            subject_id=item["user_id"],
            object_type="evidence",
            object_id=item["evidence_id"],
            details={
                "competence_id": item["competence_id"],
                "level": item["level"],
                "source": item["source"],
                "supersedes_id": item["supersedes_id"],
            },
        )


def on_xapi_refused(
    _sender: object, *, statement_id: str, user_id: int | None, status: int, **_: Any
) -> None:
    record(
        "xapi_refused",
        subject_id=user_id,
        details={"statement_id": statement_id, "status": status},
    )


def on_sso_refused(
    _sender: object, *, institution_id: int, reason: str, user_id: int | None, **_: Any
) -> None:
    # The reason code only: the provider's detail and the e-mail it sent stay out of the trail.
    record("sso_login_refused", subject_id=user_id, institution_id=institution_id,
           details={"reason": reason})  # fmt: skip


def on_sso_settings(
    _sender: object, *, institution_id: int, by_id: int | None, changes: list[str], **_: Any
) -> None:
    record("sso_settings_changed", actor_id=by_id, institution_id=institution_id,
           details={"changes": sorted(changes)})  # fmt: skip


def on_users_synced(
    _sender: object,
    *,
    institution_id: int,
    created: list[str],
    updated: list[str],
    deactivated: list[str],
    **_: Any,
) -> None:
    # Counts, not addresses: each account's own changes have entries of their own.
    counts = {"created": len(created), "updated": len(updated), "deactivated": len(deactivated)}
    record("users_synced", institution_id=institution_id, details=counts)


def on_institution_changed(
    _sender: object, *, institution_id: int, by_id: int | None, changes: list[str], **_: Any
) -> None:
    record("institution_changed", actor_id=by_id, institution_id=institution_id,
           object_type="institution", object_id=institution_id,
           details={"changes": sorted(changes)})  # fmt: skip


def on_job_role_changed(
    _sender: object,
    *,
    job_role_id: int,
    by_id: int | None,
    institution_id: int | None,
    changes: list[str],
    **_: Any,
) -> None:
    record("job_role_changed", actor_id=by_id, institution_id=institution_id,
           object_type="job_role", object_id=job_role_id,
           details={"changes": sorted(changes)})  # fmt: skip


RECEIVERS: dict[NamedSignal, Callable[..., None]] = {
    events.user_logged_in: on_logged_in,
    events.login_failed: on_login_failed,
    events.user_created: on_user_created,
    events.roles_changed: on_roles_changed,
    events.user_deactivated: on_deactivated,
    events.user_erased: on_erased,
    events.erasure_held: on_erasure_held,
    events.personal_data_exported: on_exported,
    events.attempts_purged: on_attempts_purged,
    events.course_published: on_course_published,
    events.certificate_issued: on_certificate_issued,
    events.certificate_revoked: on_certificate_revoked,
    events.certificate_reissued: on_certificate_reissued,
    events.signing_key_created: on_key_created,
    events.signing_key_retired: on_key_retired,
    events.signing_key_compromised: on_key_compromised,
    events.answer_graded: on_answer_graded,
    events.attempt_graded: on_attempt_graded,
    events.evidence_recorded: on_evidence,
    events.xapi_statement_refused: on_xapi_refused,
    events.sso_login_refused: on_sso_refused,
    events.sso_settings_changed: on_sso_settings,
    events.users_synced: on_users_synced,
    events.institution_changed: on_institution_changed,
    events.job_role_changed: on_job_role_changed,
}


def init_app(_app: Flask) -> None:
    for signal, receiver in RECEIVERS.items():
        signal.connect(receiver)
