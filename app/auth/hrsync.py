"""Applying a load from an HR system to one institution: its units, its people's units, job
roles, managers and whether they are active (`flask users sync`, docs/hr-sync.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from app.auth import services
from app.auth.hrfile import Load, PersonRecord, UnitRecord
from app.auth.models import Institution, Unit, User
from app.core import events
from app.extensions import db
from app.framework.models import JobRole


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    units_updated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    deactivated_ids: list[int] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not (
            self.created or self.updated or self.deactivated
            or self.units_created or self.units_updated
        )  # fmt: skip


def _language(institution: Institution) -> str:
    return "hr" if institution.country == "HR" else "sl"


def _check_unit(record: UnitRecord, seen: set[str], report: SyncReport) -> bool:
    problem = ""
    if not record.code or len(record.code) > 64:
        problem = "a unit needs a code of at most 64 characters"
    elif not record.name or len(record.name) > 200:
        problem = "a unit needs a name of at most 200 characters"
    elif record.code in seen:
        problem = f"unit {record.code} is listed twice"
    elif record.parent == record.code:
        problem = f"unit {record.code} cannot be its own parent"
    if problem:
        report.errors.append(f"{record.where}: {problem}")
    seen.add(record.code)
    return not problem


def _has_cycle(unit: Unit, by_id: dict[int, Unit]) -> bool:
    seen = {unit.id}
    parent_id = unit.parent_id
    while parent_id is not None:
        if parent_id in seen:
            return True
        seen.add(parent_id)
        parent = by_id.get(parent_id)
        parent_id = parent.parent_id if parent else None
    return False


def _sync_units(
    institution: Institution, records: list[UnitRecord], report: SyncReport
) -> dict[str, Unit]:
    units = {
        row.code: row
        for row in db.session.scalars(select(Unit).where(Unit.institution_id == institution.id))
    }
    seen: set[str] = set()
    valid = [record for record in records if _check_unit(record, seen, report)]
    for record in valid:
        unit = units.get(record.code)
        if unit is None:
            unit = units[record.code] = Unit(institution_id=institution.id, code=record.code)
            unit.name = record.name
            db.session.add(unit)
            report.units_created.append(record.code)
        elif unit.name != record.name:
            unit.name = record.name
            report.units_updated.append(record.code)
    db.session.flush()
    for record in valid:
        unit = units[record.code]
        parent = units.get(record.parent) if record.parent else None
        if record.parent and parent is None:
            report.errors.append(f"{record.where}: no unit {record.parent} (the parent)")
            continue
        parent_id = parent.id if parent else None
        if unit.parent_id != parent_id:
            unit.parent_id = parent_id
            if record.code not in report.units_created + report.units_updated:
                report.units_updated.append(record.code)
    by_id = {unit.id: unit for unit in units.values()}
    report.errors.extend(
        f"{record.where}: unit {record.code} is its own ancestor (parents form a loop)"
        for record in valid
        if _has_cycle(units[record.code], by_id)
    )
    return units


def _person_problem(
    record: PersonRecord, units: dict[str, Unit], roles: dict[str, int], seen: set[str]
) -> str:
    if not record.email:
        return "an e-mail address is needed"
    try:
        validate_email(record.email, check_deliverability=False)
    except EmailNotValidError:
        return f"{record.email} is not an e-mail address"
    if record.email in seen:
        return f"{record.email} is listed twice"
    if not record.name or len(record.name) > 200:
        return "a name of at most 200 characters is needed"
    if record.unit and record.unit not in units:
        return f"no unit {record.unit}"
    if record.job_role and record.job_role not in roles:
        return f"no job role {record.job_role} in the competence framework"
    if record.manager == record.email:
        return "a person cannot be their own manager"
    return ""


@dataclass
class _People:
    """The accounts a load may touch: the institution's, and any other with a listed address."""

    by_email: dict[str, User]

    @classmethod
    def load(cls, institution: Institution, emails: list[str]) -> _People:
        query = select(User).where((User.institution_id == institution.id) | User.email.in_(emails))
        return cls({user.email: user for user in db.session.scalars(query)})


def _apply_person(
    record: PersonRecord,
    user: User | None,
    institution: Institution,
    ids: tuple[int | None, int | None],
    now: datetime,
) -> tuple[User, bool]:
    """The person's account, created or brought up to date; whether an existing one changed."""
    unit_id, job_role_id = ids
    if user is None:
        data = services.UserData(
            email=record.email, full_name=record.name, institution_id=institution.id,
            language=_language(institution), job_role_id=job_role_id, is_active=record.active,
        )  # fmt: skip
        # No password: the person signs in through the institution or asks for a reset link.
        user = services.create_user(data, None)
        user.unit_id, user.hr_synced_at = unit_id, now
        return user, False
    before = (user.full_name, user.unit_id, user.job_role_id, user.is_active)
    user.full_name, user.unit_id, user.job_role_id = record.name, unit_id, job_role_id
    if record.active:
        user.is_active = True
    user.hr_synced_at = now
    return user, before != (user.full_name, user.unit_id, user.job_role_id, user.is_active)


def _deactivate(user: User, report: SyncReport) -> None:
    if user.is_active:
        user.is_active = False
        services.end_sessions(user)
        report.deactivated.append(user.email)
        report.deactivated_ids.append(user.id)


def _set_managers(
    records: list[PersonRecord], accounts: dict[str, User], report: SyncReport
) -> set[str]:
    changed: set[str] = set()
    for record in records:
        user = accounts[record.email]
        manager = accounts.get(record.manager) if record.manager else None
        if record.manager and (manager is None or manager.institution_id != user.institution_id):
            report.errors.append(f"{record.where}: no manager {record.manager} at the institution")
            continue
        manager_id = manager.id if manager else None
        if user.manager_id != manager_id:
            user.manager_id = manager_id
            changed.add(record.email)
    return changed


def _sync_people(
    institution: Institution, load: Load, units: dict[str, Unit], now: datetime, report: SyncReport
) -> tuple[_People, list[PersonRecord], set[str]]:
    roles = {row.code: row.id for row in db.session.scalars(select(JobRole))}
    people = _People.load(institution, [record.email for record in load.people])
    seen: set[str] = set()
    applied = []
    for record in load.people:
        problem = _person_problem(record, units, roles, seen)
        seen.add(record.email)
        user = people.by_email.get(record.email)
        if not problem and user is not None and user.institution_id != institution.id:
            problem = f"{record.email} has an account at another institution"
        if problem:
            report.errors.append(f"{record.where}: {problem}")
            continue
        unit = units.get(record.unit)
        ids = (unit.id if unit else None, roles.get(record.job_role))
        account, changed = _apply_person(record, user, institution, ids, now)
        people.by_email[record.email] = account
        applied.append(record)
        if user is None:
            report.created.append(record.email)
        elif changed:
            report.updated.append(record.email)
        if not record.active:
            _deactivate(account, report)
    db.session.flush()
    return people, applied, seen


def sync(institution: Institution, load: Load, now: datetime) -> SyncReport:
    """Apply the load (flushed, not committed). With errors in the report the caller must roll
    back: a load is applied whole or not at all."""
    report = SyncReport(errors=list(load.errors))
    if not load.people:
        if not load.errors:
            # An empty export would deactivate everyone the HR system ever listed.
            report.errors.append("the file lists nobody: refused, it would deactivate everyone")
        return report
    # Past errors in the file, the records are still checked, so one report names them all.
    units = _sync_units(institution, load.units, report)
    people, applied, seen = _sync_people(institution, load, units, now, report)
    for email in sorted(_set_managers(applied, people.by_email, report)):
        if email not in report.created and email not in report.updated:
            report.updated.append(email)
    for user in people.by_email.values():
        # Only accounts an HR load made or listed before go when the HR system drops them:
        # an account made by hand (a trainer from outside, the administrator) stays.
        if user.institution_id == institution.id and user.hr_synced_at and user.email not in seen:
            _deactivate(user, report)
    report.updated = [email for email in report.updated if email not in report.deactivated]
    db.session.flush()
    return report


def publish(institution: Institution, report: SyncReport) -> None:
    """The events of an applied load, sent just before it is committed."""
    for user_id in report.deactivated_ids:
        events.user_deactivated.send(None, user_id=user_id, by_id=None)
    events.users_synced.send(
        None,
        institution_id=institution.id,
        created=report.created,
        updated=report.updated,
        deactivated=report.deactivated,
    )
