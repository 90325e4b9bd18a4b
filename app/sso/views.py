"""Logging in through an institution's identity provider, and its settings page."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.auth import hooks, services
from app.auth.models import Institution
from app.core import events
from app.core.i18n import current_language
from app.core.permissions import public, roles_required
from app.core.security import is_safe_redirect
from app.core.urls import public_url
from app.extensions import db
from app.sso import accounts, flow, settings
from app.sso.errors import SsoRefused
from app.sso.forms import SsoForm, format_role_map, parse_role_map
from app.sso.models import DEFAULT_SCOPES, IdentityProvider

log = logging.getLogger(__name__)

bp = Blueprint("sso", __name__)

# Kept in the session between the redirect and the callback, and after the login.
NEXT_KEY = "sso_next"
PROVIDER_KEY = "sso_provider"


def _provider(slug: str) -> IdentityProvider:
    institution = services.institution_by_slug(slug)
    provider = settings.provider_for(institution.id) if institution else None
    if provider is None or not provider.is_enabled:
        abort(404)
    return provider


def _refused(provider: IdentityProvider, error: SsoRefused):
    """Nobody logged in: the person reads why, the administrators find it in the audit trail."""
    db.session.rollback()
    log.warning("single sign-on refused (%s): %s", error.reason, error.detail)
    events.sso_login_refused.send(
        None,
        institution_id=provider.institution_id,
        reason=error.reason,
        detail=error.detail,
        email=error.email,
        user_id=error.user_id,
    )
    db.session.commit()
    flash(str(error), "error")
    return redirect(url_for("auth.login"))


@bp.route("/login/sso/<slug>")
@public
def start(slug: str):
    provider = _provider(slug)
    if current_user.is_authenticated:
        return redirect(url_for("courses.my_learning"))
    target = request.args.get("next")
    session[NEXT_KEY] = target if is_safe_redirect(target) else None
    try:
        return flow.start(provider, public_url("sso.callback", slug=slug))
    except SsoRefused as error:
        return _refused(provider, error)


@bp.route("/login/sso/<slug>/callback")
@public
def callback(slug: str):
    provider = _provider(slug)
    try:
        flow.spend_callback(provider)
        db.session.commit()  # the state stays spent, whatever comes next
        claims = flow.complete(provider)
        user = accounts.sign_in(provider, claims, current_language())
    except SsoRefused as error:
        return _refused(provider, error)
    target = session.get(NEXT_KEY)
    session.clear()  # a fresh session on login, against fixation
    login_user(user)
    session[PROVIDER_KEY] = provider.id
    db.session.commit()
    flash(_("Welcome, %(name)s.", name=user.full_name), "success")
    return redirect(target if is_safe_redirect(target) else url_for("courses.my_learning"))


def init_app(app: Flask) -> None:
    """The OAuth registry, the blueprint, and what the login page and logout get from here."""
    flow.init_app(app)
    app.register_blueprint(bp)
    hooks.add_login_options(login_options)
    hooks.add_logout_target(logout_target)


# --- What the login page and the logout get from here (app.auth.hooks) ---------------------


def login_options(next_url: str) -> list[hooks.LoginOption]:
    next_value = next_url if is_safe_redirect(next_url) else None
    return [
        hooks.LoginOption(
            _("Log in with %(institution)s", institution=provider.institution.short_name),
            url_for("sso.start", slug=provider.institution.slug, next=next_value),
        )
        for provider in settings.enabled_providers()
    ]


def logout_target() -> str | None:
    provider_id = session.get(PROVIDER_KEY)
    provider = db.session.get(IdentityProvider, provider_id) if provider_id else None
    if provider is None or not provider.is_enabled:
        return None
    return flow.logout_url(provider, public_url("auth.login"))


# --- The institution's settings, for its administrators ------------------------------------


def _form(institution: Institution, provider: IdentityProvider | None) -> SsoForm:
    form = SsoForm()
    if request.method == "GET":
        form.is_password_login_allowed.data = institution.is_password_login_allowed
        form.scopes.data = DEFAULT_SCOPES
        form.claim_email.data, form.claim_name.data = "email", "name"
        if provider is not None:
            form.issuer.data, form.client_id.data = provider.issuer, provider.client_id
            form.scopes.data = provider.scopes
            for name in settings.CLAIM_FIELDS:
                getattr(form, f"claim_{name}").data = provider.claim(name)
            form.role_claim.data = provider.role_claim
            form.role_map.data = format_role_map(provider.role_map or {})
            form.is_enabled.data = provider.is_enabled
            form.is_jit_enabled.data = provider.is_jit_enabled
    return form


def _settings(form: SsoForm, role_map: dict[str, str]) -> settings.SsoSettings:
    return settings.SsoSettings(
        issuer=form.issuer.data,
        client_id=form.client_id.data,
        client_secret=form.client_secret.data or None,
        scopes=form.scopes.data,
        claims={name: getattr(form, f"claim_{name}").data for name in settings.CLAIM_FIELDS},
        role_claim=form.role_claim.data,
        role_map=role_map,
        is_enabled=form.is_enabled.data,
        is_jit_enabled=form.is_jit_enabled.data,
        is_password_login_allowed=form.is_password_login_allowed.data,
    )


@bp.route("/admin/sso", methods=["GET", "POST"])
@roles_required("admin")
def admin_settings():
    # Only the administrator's own institution: no institution in the address to change.
    institution = current_user.institution
    provider = settings.provider_for(institution.id)
    form = _form(institution, provider)
    error_message = None
    if form.validate_on_submit():
        role_map = parse_role_map(form.role_map.data or "")
        if role_map is None:
            form.role_map.errors.append(_("Write each mapping as “value = role”."))
        else:
            try:
                settings.save_settings(institution, _settings(form, role_map), current_user.id)
            except settings.SettingsError as error:
                db.session.rollback()
                error_message = str(error)
            else:
                db.session.commit()
                flash(_("The single sign-on settings are saved."), "success")
                return redirect(url_for("sso.admin_settings"))
    return render_template(
        "sso/settings.html",
        form=form,
        error_message=error_message,
        institution=institution,
        provider=provider,
        callback_url=public_url("sso.callback", slug=institution.slug),
        logout_url=public_url("auth.login"),
    )
