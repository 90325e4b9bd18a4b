"""Creating the demo accounts, idempotently."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.auth.models import User
from app.auth.services import UserData, create_user, institution_by_slug, seed_institutions
from app.competences.models import JobRole
from app.extensions import db


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
    DemoAccount("learner@demo.2sokrog.eu", "demo-learner-2sokrog", "Ana Novak", "csd-lasko",
                "sl", (), "social-worker-csd"),
    DemoAccount("trainer@demo.2sokrog.eu", "demo-trainer-2sokrog", "Marko Horvat",
                "czss-cakovec", "hr", ("trainer",)),
    DemoAccount("hr@demo.2sokrog.eu", "demo-hr-2sokrog", "Petra Kos", "csd-lasko", "sl",
                ("hr",)),
    DemoAccount("admin@demo.2sokrog.eu", "demo-admin-2sokrog", "Ivana Babić", "bistra-ptuj",
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
        data = UserData(
            email=account.email,
            full_name=account.full_name,
            institution_id=institution.id,  # type: ignore[union-attr]
            language=account.language,
            job_role_id=roles.get(account.job_role or ""),
            roles=set(account.roles),
        )
        create_user(data, account.password)
    db.session.flush()
    return list(DEMO_ACCOUNTS)
