"""Self-service pages: password reset, invitations, the profile and the e-mail address."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user

from app.auth import selfservice, services
from app.auth.forms import EmailChangeForm, NewPasswordForm, ProfileForm, ResetRequestForm
from app.auth.views import bp
from app.core import notifications
from app.core.errors import DomainError
from app.core.forms import ConfirmForm
from app.core.permissions import public, roles_required
from app.core.ratelimit import client_key, hashed
from app.extensions import db, limiter


def _reset_email_key() -> str:
    return hashed("reset", services.normalise_email(request.form.get("email", "")))


def _reset_limited(_limit: RequestLimit):
    # The same answer as always: a limit must not tell which addresses have accounts.
    return Response(render_template("auth/reset_sent.html"), status=200)


def _invalid_link(error: selfservice.InvalidLink, retry: str | None = None):
    return render_template("auth/link_invalid.html", message=str(error), retry=retry), 400


@bp.route("/password/reset", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["RESET_REQUESTS_PER_ADDRESS"],
    key_func=client_key,
    methods=["POST"],
    on_breach=_reset_limited,
)
@limiter.limit(
    lambda: current_app.config["RESET_REQUESTS_PER_EMAIL"],
    key_func=_reset_email_key,
    methods=["POST"],
    on_breach=_reset_limited,
)
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        selfservice.request_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_sent.html")
    return render_template("auth/reset_request.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        user = selfservice.user_for_reset(token)
    except selfservice.InvalidLink as error:
        return _invalid_link(error, url_for("auth.request_reset"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            selfservice.reset_password(token, form.new.data)
        except services.WeakPassword as error:
            form.new.errors.append(str(error))
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your password is changed. Please log in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/new_password.html", form=form, user=user, title=_("Choose a new password")
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        user = selfservice.user_for_invitation(token)
    except selfservice.InvalidLink as error:
        return _invalid_link(error)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            selfservice.accept_invitation(token, form.new.data)
        except services.WeakPassword as error:
            form.new.errors.append(str(error))
        else:
            session.clear()
            login_user(user)
            db.session.commit()
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.full_name), "success")
            return redirect(url_for("home.dashboard"))
    return render_template(
        "auth/new_password.html", form=form, user=user, title=_("Choose your password")
    )


@bp.route("/account", methods=["GET", "POST"])
@roles_required("learner")
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    kinds = notifications.choices(user.roles)
    form.notifications.choices = [(kind.code, str(kind.label)) for kind in kinds]
    if request.method == "GET":
        form.notifications.data = [
            kind.code for kind in kinds if kind.code not in (user.notification_optout or [])
        ]
    if form.validate_on_submit():
        chosen = set(form.notifications.data or [])
        user.full_name = form.full_name.data
        user.language = form.language.data
        # Choices this person is not shown (another role's) stay as they were.
        shown = {kind.code for kind in kinds}
        user.notification_optout = sorted(
            {code for code in (user.notification_optout or []) if code not in shown}
            | {code for code in shown if code not in chosen}
        )
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, user=user)


@bp.route("/account/email", methods=["GET", "POST"])
@roles_required("learner")
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            selfservice.request_email_change(current_user, form.password.data, form.email.data)
        except services.WrongPassword:
            form.password.errors.append(_("The current password is not correct."))
        except services.EmailTaken:
            form.email.errors.append(_("An account with this e-mail already exists."))
        except DomainError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "We have sent a link to %(email)s. Your address changes when you open it.",
                    email=form.email.data,
                ),
                "success",
            )
            return redirect(url_for("auth.profile"))
    return render_template("auth/email_change.html", form=form)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    # Opening the link only asks: mail scanners follow links, and must not change an address.
    try:
        new_email = selfservice.pending_email(token)
    except selfservice.InvalidLink as error:
        return _invalid_link(error, url_for("auth.change_email"))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = selfservice.confirm_email_change(token)
        except selfservice.InvalidLink as error:
            return _invalid_link(error, url_for("auth.change_email"))
        except services.EmailTaken:
            flash(_("An account with this e-mail already exists."), "error")
            return redirect(url_for("auth.login"))
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(
            _("Your e-mail address is now %(email)s. Please log in again.", email=user.email),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/email_confirm.html", form=form, new_email=new_email)
