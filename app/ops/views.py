"""Administrators' pages: the job queue and its failures, the mail outbox."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from huey.exceptions import HueyException
from sqlalchemy import or_, select

from app.auth.models import User
from app.core import jobs, mail
from app.core.database import utcnow
from app.core.forms import ConfirmForm
from app.core.permissions import roles_required
from app.extensions import db

bp = Blueprint("ops", __name__, url_prefix="/admin")
PER_PAGE = 50


@bp.route("/jobs")
@roles_required("admin")
def jobs_page():
    page = db.paginate(jobs.failures(), per_page=PER_PAGE, error_out=False)
    try:
        waiting, scheduled = jobs.huey.pending_count(), jobs.huey.scheduled_count()
    except Exception:  # the queue's server is down: the page still shows what it can
        waiting = scheduled = None
    return render_template(
        "ops/jobs.html",
        page=page,
        waiting=waiting,
        scheduled=scheduled,
        storage=jobs.describe_storage(current_app.config),
        immediate=jobs.huey.immediate,
        periodic=jobs.periodic_names(),
        form=ConfirmForm(),
    )


@bp.route("/jobs/failures/<int:failure_id>/<action>", methods=["POST"])
@roles_required("admin")
def job_failure(failure_id: int, action: str):
    failure = db.get_or_404(jobs.JobFailure, failure_id)
    if action not in ("retry", "resolve") or not ConfirmForm().validate_on_submit():
        abort(400)
    if action == "retry":
        try:
            jobs.run_again(failure)
        except HueyException:
            flash(_("This job no longer exists in this version of the platform."), "error")
            return redirect(url_for("ops.jobs_page"))
        flash(_("The job was queued again."), "success")
    else:
        failure.resolved_at = utcnow()
        flash(_("The failure is marked as resolved."), "success")
    db.session.commit()
    return redirect(url_for("ops.jobs_page"))


def _outbox_query():
    query = select(mail.MailMessage).order_by(mail.MailMessage.id.desc())
    if mail.keeps_bodies():
        return query  # the development outbox: every mail, as nothing leaves the machine
    # With a real mail server an administrator sees the delivery of their institution's mails.
    own = select(User.id).where(User.institution_id == current_user.institution_id)
    return query.where(or_(mail.MailMessage.user_id.in_(own)))


@bp.route("/outbox")
@roles_required("admin")
def outbox():
    page = db.paginate(_outbox_query(), per_page=PER_PAGE, error_out=False)
    return render_template("ops/outbox.html", page=page, development=mail.keeps_bodies())


@bp.route("/outbox/<int:message_id>")
@roles_required("admin")
def outbox_message(message_id: int):
    message = db.session.scalar(_outbox_query().where(mail.MailMessage.id == message_id))
    if message is None:
        abort(404)
    return render_template("ops/outbox_message.html", message=message)
