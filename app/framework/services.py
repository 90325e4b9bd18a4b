"""Loading the competence framework into the database, and reading it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import select

from app.extensions import db
from app.framework.loader import Framework, JobRoleSource
from app.framework.models import (
    Competence,
    CompetenceArea,
    JobRole,
    JobRoleTarget,
    ProficiencyLevel,
)

logger = logging.getLogger(__name__)

# The framework's rows that have a code and are retired rather than deleted.
CodedRow = TypeVar("CodedRow", Competence, JobRole)


def sync_framework(framework: Framework) -> list[str]:
    """Upsert the framework; retire (never delete) competences and roles no longer in the file.

    Returns one line per change, empty when nothing changed.
    """
    changes = _sync_levels(framework)
    areas, area_changes = _sync_areas(framework)
    changes += area_changes
    competences = {row.code: row for row in db.session.scalars(db.select(Competence))}
    for position, source in enumerate(framework.competences):
        values = {
            "area_id": areas[source.area].id,
            "position": position,
            "names": source.names,
            "descriptions": source.descriptions,
            "esco_uri": source.esco_uri,
            "validity_months": source.validity_months,
            "is_retired": False,
        }
        changes.extend(_upsert(competences, Competence, source.code, values, "competence"))
    changes += _retire(competences, framework.competence_codes, "competence")
    db.session.flush()
    roles = {row.code: row for row in db.session.scalars(db.select(JobRole))}
    # Roles an administrator edited in the browser are the app's now: the file neither
    # overwrites nor retires them (see app.framework.editing).
    kept = {code: row for code, row in roles.items() if row.edited_at is not None}
    file_roles = [role for role in framework.job_roles if role.code not in kept]
    for position, role in enumerate(framework.job_roles):
        if role.code in kept:
            # Not a change: the file's version of this role is simply not applied.
            logger.info("job role %s kept as edited in the app", role.code)
            continue
        values = {"position": position, "names": role.names, "is_retired": False}
        changes.extend(_upsert(roles, JobRole, role.code, values, "job role"))
    managed = {code: row for code, row in roles.items() if code not in kept}
    changes += _retire(managed, {role.code for role in file_roles}, "job role")
    db.session.flush()
    changes.extend(_sync_targets(file_roles, managed, competences))
    db.session.flush()
    return changes


def _sync_levels(framework: Framework) -> list[str]:
    changes: list[str] = []
    levels = {row.level: row for row in db.session.scalars(db.select(ProficiencyLevel))}
    for level, (names, descriptors) in sorted(framework.levels.items()):
        row = levels.get(level)
        if row is None:
            db.session.add(ProficiencyLevel(level=level, names=names, descriptors=descriptors))
            changes.append(f"created level {level}")
        elif row.names != names or row.descriptors != descriptors:
            row.names, row.descriptors = names, descriptors
            changes.append(f"updated level {level}")
    return changes


def _sync_areas(framework: Framework) -> tuple[dict[str, CompetenceArea], list[str]]:
    changes = []
    areas = {row.code: row for row in db.session.scalars(db.select(CompetenceArea))}
    for position, source in enumerate(framework.areas):
        row = areas.get(source.code)
        if row is None:
            row = areas[source.code] = CompetenceArea(code=source.code, names=source.names)
            row.position = position
            db.session.add(row)
            changes.append(f"created area {source.code}")
        elif (row.names, row.position) != (source.names, position):
            row.names, row.position = source.names, position
            changes.append(f"updated area {source.code}")
    db.session.flush()
    return areas, changes


def _retire(rows: Mapping[str, Competence | JobRole], codes: set[str], what: str) -> list[str]:
    """Rows whose code left the file are retired, never deleted: evidence and targets keep them."""
    changes = []
    for code, row in rows.items():
        if code not in codes and not row.is_retired:
            row.is_retired = True
            changes.append(f"retired {what} {code}")
    return changes


def _upsert(
    rows: dict[str, CodedRow],
    model: type[CodedRow],
    code: str,
    values: dict[str, Any],
    what: str,
) -> list[str]:
    row = rows.get(code)
    if row is None:
        rows[code] = model(code=code, **values)
        db.session.add(rows[code])
        return [f"created {what} {code}"]
    changed = [key for key, value in values.items() if getattr(row, key) != value]
    for key in changed:
        setattr(row, key, values[key])
    return [f"updated {what} {code}"] if changed else []


def _sync_targets(
    sources: list[JobRoleSource], roles: dict[str, JobRole], competences: dict[str, Competence]
) -> list[str]:
    role_ids = {row.id for row in roles.values()}
    existing = {
        (row.job_role_id, row.competence_id): row
        for row in db.session.scalars(db.select(JobRoleTarget))
        if row.job_role_id in role_ids
    }
    wanted = {
        (roles[source.code].id, competences[code].id): level
        for source in sources
        for code, level in source.targets.items()
    }
    changed_roles: set[int] = set()
    for key, level in wanted.items():
        row = existing.get(key)
        if row is None:
            db.session.add(JobRoleTarget(job_role_id=key[0], competence_id=key[1], level=level))
            changed_roles.add(key[0])
        elif row.level != level:
            row.level = level
            changed_roles.add(key[0])
    for key, row in existing.items():
        if key not in wanted:
            db.session.delete(row)
            changed_roles.add(key[0])
    codes = {row.id: code for code, row in roles.items()}
    return [f"updated targets of job role {codes[role_id]}" for role_id in sorted(changed_roles)]


def active_job_roles() -> list[JobRole]:
    return list(
        db.session.scalars(
            db.select(JobRole).where(JobRole.is_retired.is_(False)).order_by(JobRole.position)
        )
    )


def active_competences() -> list[Competence]:
    return list(
        db.session.scalars(
            db.select(Competence)
            .where(Competence.is_retired.is_(False))
            .order_by(Competence.position)
        )
    )


def targets_for(job_role_id: int | None) -> dict[int, int]:
    if job_role_id is None:
        return {}
    return dict(
        db.session.execute(
            select(JobRoleTarget.competence_id, JobRoleTarget.level).where(
                JobRoleTarget.job_role_id == job_role_id
            )
        ).all()
    )


def scale() -> dict[int, ProficiencyLevel]:
    return {row.level: row for row in db.session.scalars(select(ProficiencyLevel))}
