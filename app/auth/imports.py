"""Accounts in bulk from a CSV file: created and updated by e-mail, reported row by row.

The same service serves `flask users import` and the administrators' upload: first a plan
(what each line would do, or why it cannot), then, only if no line has an error, the plan is
carried out in one transaction. New accounts get an invitation (a job, after the commit);
`deactivate_missing` deactivates the institution's accounts that are not in the file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from sqlalchemy import select

from app.auth import csvfile, services
from app.auth.models import ASSIGNABLE_ROLES, Institution, User
from app.core.i18n import LANGUAGE_NAMES, LANGUAGES
from app.extensions import db
from app.framework.models import JobRole

CREATE, UPDATE, UNCHANGED, DEACTIVATE, ERROR = (
    "create",
    "update",
    "unchanged",
    "deactivate",
    "error",
)
COUNTRY_LANGUAGE = {"SI": "sl", "HR": "hr"}
ROLE_NAMES = {
    "learner": "learner",
    "trainer": "trainer",
    "assessor": "assessor",
    "hr": "hr",
    "admin": "admin",
    "administrator": "admin",
}


@dataclass
class Line:
    """What one line of the file does (or, for `deactivate`, an account the file leaves out)."""

    line: int | None
    email: str
    name: str
    action: str
    notes: list[str] = field(default_factory=list)
    data: services.UserData | None = None
    user_id: int | None = None


@dataclass
class Plan:
    institution_id: int
    lines: list[Line]

    @property
    def errors(self) -> list[Line]:
        return [line for line in self.lines if line.action == ERROR]

    def count(self, action: str) -> int:
        return sum(line.action == action for line in self.lines)

    @property
    def digest(self) -> str:
        """What the plan would change, in short: the confirmation carries it, so a plan that
        changed since the preview (someone edited an account) is shown again, not applied."""
        parts = []
        for line in self.lines:
            data = line.data
            wanted = (
                (data.full_name, data.job_role_id, sorted(data.roles), data.language)
                if data
                else ()
            )
            parts.append(f"{line.action}|{line.email}|{line.user_id}|{wanted}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


@dataclass
class Result:
    created: list[int]
    updated: int
    deactivated: int


class Lookups:
    """Job roles, by code or by name in any language."""

    def __init__(self) -> None:
        self.job_roles: dict[str, JobRole] = {}
        for role in db.session.scalars(select(JobRole)):
            for name in (role.code, *role.names.values()):
                self.job_roles.setdefault(_plain(name), role)

    def job_role(self, value: str) -> JobRole | None:
        return self.job_roles.get(_plain(value))


def _plain(value: str) -> str:
    return " ".join(value.casefold().split())


def _roles(value: str, notes: list[str]) -> set[str]:
    roles = set()
    for token in re.split(r"[\s,;|/+]+", value.strip().lower()):
        if not token:
            continue
        role = ROLE_NAMES.get(token)
        if role is None:
            notes.append(
                gettext(
                    "Unknown role \u201c%(role)s\u201d (use %(roles)s).",
                    role=token,
                    roles=", ".join(("learner", *ASSIGNABLE_ROLES)),
                )
            )
        else:
            roles.add(role)
    return roles & set(ASSIGNABLE_ROLES)


def _language(value: str, institution: Institution, notes: list[str]) -> str:
    if not value:
        return COUNTRY_LANGUAGE.get(institution.country, "sl")
    wanted = _plain(value)
    for code in LANGUAGES:
        if wanted in (code, _plain(LANGUAGE_NAMES[code])):
            return code
    notes.append(gettext("Unknown language \u201c%(value)s\u201d (use sl, hr or en).", value=value))
    return "sl"


def _email(value: str, notes: list[str]) -> str:
    if not value:
        notes.append(gettext("The e-mail address is missing."))
        return ""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        notes.append(gettext("\u201c%(value)s\u201d is not an e-mail address.", value=value))
    return services.normalise_email(value)


def _check(row: csvfile.CsvRow, institution: Institution, lookups: Lookups) -> Line:
    values, notes = row.values, list[str]()
    email = _email(values["email"], notes)
    name = values["name"]
    if not name:
        notes.append(gettext("The name is missing."))
    elif len(name) > 200:
        notes.append(gettext("The name is longer than 200 characters."))
    job_role = None
    if values["job_role"]:
        job_role = lookups.job_role(values["job_role"])
        if job_role is None:
            notes.append(
                gettext("Unknown job role \u201c%(value)s\u201d.", value=values["job_role"])
            )
        elif job_role.is_retired:
            notes.append(
                gettext("The job role \u201c%(value)s\u201d is retired.", value=values["job_role"])
            )
    roles = _roles(values["role"], notes)
    language = _language(values["language"], institution, notes)
    data = services.UserData(
        email=email,
        full_name=name,
        institution_id=institution.id,
        language=language,
        job_role_id=job_role.id if job_role else None,
        roles=roles,
    )
    return Line(row.line, email, name, ERROR if notes else CREATE, notes, data)


def _compare(line: Line, user: User, institution: Institution, by: User | None) -> None:
    """Turn a checked line for an existing account into an update (or nothing to do)."""
    assert line.data is not None
    line.user_id = user.id
    if user.institution_id != institution.id:
        line.action = ERROR
        line.notes.append(
            gettext(
                "This address belongs to an account of another institution (%(name)s).",
                name=user.institution.short_name,
            )
        )
        return
    if by is not None and user.id == by.id and "admin" not in line.data.roles:
        line.action = ERROR
        line.notes.append(gettext("You cannot remove your own administrator access."))
        return
    # The language is the person's own choice (their profile); the file sets it for new
    # accounts only. A deactivated account stays so: reactivating is a decision of its own.
    line.data.language = user.language
    line.data.is_active = user.is_active
    changes = []
    if user.full_name != line.data.full_name:
        changes.append(gettext("name"))
    if user.job_role_id != line.data.job_role_id:
        changes.append(gettext("job role"))
    if user.roles - {"learner"} != line.data.roles:
        changes.append(gettext("roles"))
    if not user.is_active:
        line.notes.append(
            gettext(
                "The account is deactivated and stays so; reactivate it in the "
                "list of users if the person is back."
            )
        )
    line.action = UPDATE if changes else UNCHANGED
    if changes:
        line.notes.insert(0, gettext("Changes: %(fields)s.", fields=", ".join(changes)))


def _duplicates(lines: list[Line]) -> None:
    first: dict[str, Line] = {}
    for line in lines:
        if not line.email:
            continue
        earlier = first.setdefault(line.email, line)
        if earlier is not line:
            for one, other in ((line, earlier), (earlier, line)):
                one.action = ERROR
                one.notes.append(
                    gettext("The same e-mail address is on line %(line)d.", line=other.line)
                )


def plan(
    text: str, institution: Institution, deactivate_missing: bool = False, by: User | None = None
) -> Plan:
    """What importing `text` would do; raises CsvFileError for a file that cannot be read."""
    lookups = Lookups()
    lines = [_check(row, institution, lookups) for row in csvfile.read(text)]
    _duplicates(lines)
    emails = {line.email for line in lines if line.email}
    existing = {
        user.email: user for user in db.session.scalars(select(User).where(User.email.in_(emails)))
    }
    for line in lines:
        user = existing.get(line.email)
        if user is not None and line.action != ERROR:
            _compare(line, user, institution, by)
    if deactivate_missing:
        lines.extend(_missing(institution, emails, by))
    return Plan(institution.id, lines)


def _missing(institution: Institution, emails: set[str], by: User | None) -> list[Line]:
    lines = []
    for user in db.session.scalars(
        select(User)
        .where(User.institution_id == institution.id, User.is_active.is_(True))
        .order_by(User.full_name)
    ):
        if user.email in emails:
            continue
        if by is not None and user.id == by.id:
            lines.append(
                Line(
                    None,
                    user.email,
                    user.full_name,
                    UNCHANGED,
                    [gettext("Not in the file, but your own account stays active.")],
                    user_id=user.id,
                )
            )
            continue
        lines.append(
            Line(
                None,
                user.email,
                user.full_name,
                DEACTIVATE,
                [gettext("Not in the file: the account will be deactivated.")],
                user_id=user.id,
            )
        )
    return lines


class PlanHasErrors(csvfile.CsvFileError):
    pass


def apply(plan: Plan, by_id: int | None = None) -> Result:
    """Carry out a plan without errors; the caller commits (and the invitations follow)."""
    if plan.errors:
        raise PlanHasErrors(gettext("Nothing was imported: correct the lines with errors."))
    created, updated, deactivated = [], 0, 0
    for line in plan.lines:
        if line.action == CREATE and line.data is not None:
            created.append(services.create_user(line.data, None, by_id, source="import").id)
        elif line.action == UPDATE and line.data is not None and line.user_id is not None:
            user = db.session.get(User, line.user_id)
            if user is not None:
                services.update_user(user, line.data, by_id=by_id)
                updated += 1
        elif line.action == DEACTIVATE and line.user_id is not None:
            user = db.session.get(User, line.user_id)
            if user is not None and user.is_active:
                services.deactivate(user, by_id=by_id)
                deactivated += 1
    db.session.flush()
    return Result(created, updated, deactivated)
