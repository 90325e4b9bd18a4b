"""The administrators' page of their institution's audit trail."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.audit import services
from app.audit.labels import ACTIONS, action_label
from app.core.params import arg_id
from app.core.permissions import roles_required
from app.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin")
PER_PAGE = 50


def _day(name: str) -> date | None:
    """A date from `?name=YYYY-MM-DD`, or None for anything else."""
    value = request.args.get(name, "")
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


@bp.route("/audit")
@roles_required("admin")
def trail():
    action = request.args.get("action", "")
    wanted = services.TrailFilter(
        action=action if action in ACTIONS else None,
        person_id=arg_id("person"),
        since=_day("since"),
        until=_day("until"),
    )
    query = services.institution_trail(current_user.institution_id, wanted)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "audit/trail.html",
        page=page,
        wanted=wanted,
        actions=sorted(ACTIONS.items(), key=lambda item: str(item[1])),
        people=services.people(page.items),
        details_of=services.details_of,
        action_label=action_label,
        filters={
            key: value
            for key, value in {
                "action": wanted.action,
                "person": wanted.person_id,
                "since": wanted.since.isoformat() if wanted.since else None,
                "until": wanted.until.isoformat() if wanted.until else None,
            }.items()
            if value
        },
    )
