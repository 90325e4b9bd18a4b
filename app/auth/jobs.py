"""Account work off the request path: the invitations of accounts imported in bulk."""

from __future__ import annotations

from sqlalchemy import select

from app.auth import selfservice, services
from app.auth.models import User
from app.core import jobs
from app.extensions import db


@jobs.job()
def send_invitations(user_ids: list[int], by_id: int | None = None) -> None:
    """Invite each of these accounts that still has no password; once per account, however
    often the job runs (a retry, a worker killed half-way)."""
    by = db.session.get(User, by_id) if by_id else None
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids))):
        if user.is_active and services.awaits_invitation(user):
            selfservice.invite(user, by=by, object_key=f"import:{user.id}")
    db.session.commit()
