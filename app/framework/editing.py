"""Job roles and their target profiles edited in the browser by the project's administrators.

The framework file (courses/competences.yml) defines the roles the project agreed on; an
administrator of the lead partner may add roles and change names and targets in the app. A role
changed in the app records when, and from then on loading the file leaves it as it is
(app.framework.services.sync_framework), so a deployment that loads the courses at each start
never undoes an edit. Who changed what is in the audit trail (the job_role_changed event).
"""

from __future__ import annotations

import re

from flask_babel import gettext
from sqlalchemy import func, select

from app.core import events
from app.core.database import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.framework.models import Competence, JobRole, JobRoleTarget

LANGUAGES = ("sl", "hr", "en")
TARGET_LEVELS = range(1, 5)  # a target of 0 ("no knowledge") would be no target at all
CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RoleRefused(DomainError):
    """A job role edit the rules do not allow; the message says why, translated."""


def _clean_names(names: dict[str, str]) -> dict[str, str]:
    cleaned = {language: " ".join(names.get(language, "").split()) for language in LANGUAGES}
    if not all(cleaned.values()):
        raise RoleRefused(gettext("Give the job role's name in Slovenian, Croatian and English."))
    return cleaned


def create_role(code: str, names: dict[str, str], by_id: int, institution_id: int) -> JobRole:
    code = code.strip().lower()
    if not CODE.match(code) or len(code) > 64:
        raise RoleRefused(
            gettext(
                "The code may have only lower-case letters, digits and hyphens, for example "
                "case-manager."
            )
        )
    if db.session.scalar(select(JobRole.id).where(JobRole.code == code)) is not None:
        raise RoleRefused(gettext("A job role with the code %(code)s exists already.", code=code))
    position = (db.session.scalar(select(func.max(JobRole.position))) or 0) + 1
    role = JobRole(code=code, names=_clean_names(names), position=position, edited_at=utcnow())
    db.session.add(role)
    db.session.flush()
    events.job_role_changed.send(
        None, job_role_id=role.id, by_id=by_id, institution_id=institution_id, changes=["created"]
    )
    return role


def update_role(
    role: JobRole,
    names: dict[str, str],
    targets: dict[int, int | None],
    by_id: int,
    institution_id: int,
) -> list[str]:
    """Apply new names and targets ({competence id: level or None}); return what changed."""
    changes: list[str] = []
    cleaned = _clean_names(names)
    if cleaned != role.names:
        role.names = cleaned
        changes.append("names")
    competences = {
        row.id: row.code
        for row in db.session.scalars(select(Competence).where(Competence.id.in_(targets)))
    }
    existing = {
        row.competence_id: row
        for row in db.session.scalars(
            select(JobRoleTarget).where(JobRoleTarget.job_role_id == role.id)
        )
    }
    for competence_id, level in targets.items():
        if competence_id not in competences:
            continue
        if level is not None and level not in TARGET_LEVELS:
            raise RoleRefused(gettext("Choose a target level from the scale."))
        row = existing.get(competence_id)
        if level is None and row is not None:
            db.session.delete(row)
        elif level is not None and row is None:
            db.session.add(
                JobRoleTarget(job_role_id=role.id, competence_id=competence_id, level=level)
            )
        elif level is not None and row is not None and row.level != level:
            row.level = level
        else:
            continue
        changes.append(competences[competence_id])
    if changes:
        role.edited_at = utcnow()
        db.session.flush()
        events.job_role_changed.send(
            None, job_role_id=role.id, by_id=by_id, institution_id=institution_id, changes=changes
        )
    return changes
