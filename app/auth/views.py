"""Login, logout, language choice and the administration of accounts."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user
from sqlalchemy import or_, select

from app.auth import hooks, selfservice, services
from app.auth.forms import LanguageForm, LoginForm, PasswordChangeForm, UserForm
from app.auth.models import ASSIGNABLE_ROLES, User, UserRole
from app.core.forms import ConfirmForm
from app.core.i18n import LANGUAGES, current_language, remember_language
from app.core.params import arg_id
from app.core.permissions import public, roles_required
from app.core.ratelimit import client_key, hashed, minutes_until
from app.core.search import like_patterns
from app.core.security import is_safe_redirect
from app.extensions import db, limiter, login_manager
from app.framework.services import active_job_roles

bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    # Every logged-in request starts here: the user, institution, job role and roles in one
    # query; a session of an older token (logged out elsewhere) is no session at all.
    return services.user_for_session(session_id)


@login_manager.unauthorized_handler
def _unauthorized():
    flash(_("Please log in to see this page."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _redirect_next(default: str):
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_redirect(target) else default)


# --- Login throttling -------------------------------------------------------------------------
# Failures are counted per account *and* client, so a stranger cannot lock anyone else out:
# LOGIN_FREE_FAILURES are free, then each further try waits, twice as long each time
# (moving windows of doubling length). A client also has a ceiling across all accounts.


def _account_client_key() -> str:
    email = services.normalise_email(request.form.get("email", ""))
    return hashed("login", f"{email}\n{request.remote_addr or ''}")


def _backoff_limits() -> str:
    config = current_app.config
    free, base = config["LOGIN_FREE_FAILURES"], config["LOGIN_BACKOFF_SECONDS"]
    return ";".join(
        f"{free + step} per {base * 2**step} seconds"
        for step in range(config["LOGIN_BACKOFF_STEPS"])
    )


def _login_failed(_response: Response) -> bool:
    return bool(g.get("login_failed"))


def _login_page(form: LoginForm) -> str:
    """The login form, with the single sign-on buttons and who may not use a password."""
    return render_template(
        "auth/login.html",
        form=form,
        options=hooks.login_options(form.next.data or ""),
        without_passwords=services.institutions_without_passwords(),
    )


def _throttled(limit: RequestLimit) -> Response:
    form = LoginForm()
    form.email.errors = [
        ngettext(
            "Too many failed attempts. Please try again in %(num)d minute.",
            "Too many failed attempts. Please try again in %(num)d minutes.",
            minutes_until(limit),
        )
    ]
    return Response(_login_page(form), status=429)


def _forget_failures() -> None:
    """A successful login starts the back-off of this account and client afresh."""
    key = _account_client_key()
    for limit in limiter.current_limits:
        if key in limit.request_args:
            limit.limiter.clear(limit.limit, *limit.request_args)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    _backoff_limits,
    key_func=_account_client_key,
    methods=["POST"],
    deduct_when=_login_failed,
    on_breach=_throttled,
    per_method=True,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"],
    key_func=client_key,
    methods=["POST"],
    deduct_when=_login_failed,
    on_breach=_throttled,
    per_method=True,
)
def login():
    if current_user.is_authenticated:
        return _redirect_next(url_for("home.dashboard"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.PasswordsOff as error:
            form.password.errors.append(str(error))
            return _login_page(form), 200
        if user is None:
            g.login_failed = True
            db.session.commit()  # the failed try is kept in the audit trail
            form.password.errors.append(_("The e-mail or password is not correct."))
            return _login_page(form), 200
        _forget_failures()
        session.clear()  # a fresh session on login, against fixation
        login_user(user)
        db.session.commit()
        flash(_("Welcome, %(name)s.", name=user.full_name), "success")
        return _redirect_next(url_for("home.dashboard"))
    if request.method == "POST":
        g.login_failed = True  # an incomplete form is a try too
    return _login_page(form)


@bp.route("/logout", methods=["POST"])
@roles_required("learner")
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    language = current_user.language
    # Where single sign-on logged the person in, the provider's session ends too (read from
    # this session before it is cleared).
    provider_logout = hooks.logout_target()
    # Logging out ends every session of the account, not only this browser's.
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return remember_language(redirect(provider_logout or url_for("auth.login")), language)


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required("learner")
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.WrongPassword:
            form.current.errors.append(_("The current password is not correct."))
        except services.WeakPassword as error:
            form.new.errors.append(str(error))
        else:
            selfservice.password_changed(current_user)
            db.session.commit()
            # Other sessions have ended with the old token; this one goes on with the new one.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other sessions of your account have ended."),
                  "success")  # fmt: skip
            return redirect(url_for("auth.change_password"))
    return render_template("auth/password.html", form=form)


@bp.route("/language", methods=["GET", "POST"])
@public
def language():
    """A visitor's language is a cookie, set by a plain GET form: their public pages carry no
    CSRF token and no session, so they can be cached (app.core.pagecache). A logged-in
    person's language is kept on their account, so that change is a POST with its token."""
    if request.method == "GET":
        chosen = request.args.get("language")
        if chosen not in LANGUAGES:
            abort(400)
    else:
        form = LanguageForm()
        if not form.validate_on_submit():
            abort(400)
        chosen = form.language.data
        if current_user.is_authenticated:
            services.set_language(current_user, chosen)
            db.session.commit()
    return remember_language(_redirect_next(url_for("courses.catalogue")), chosen)


# --- Administration of accounts ---------------------------------------------------------


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(
        obj=user,
        institutions=services.institutions(),
        job_roles=active_job_roles(),
        language=current_language(),
    )
    if user is not None and request.method == "GET":
        form.roles.data = sorted(user.roles - {"learner"})
        form.job_role_id.data = user.job_role_id or 0
    return form


def _form_data(form: UserForm) -> services.UserData:
    return services.UserData(
        email=form.email.data,
        full_name=form.full_name.data,
        institution_id=form.institution_id.data,
        language=form.language.data,
        job_role_id=form.job_role_id.data or None,
        roles=set(form.roles.data or []),
        is_active=form.is_active.data,
    )


@admin_bp.route("/users")
@roles_required("admin")
def users():
    query = select(User).order_by(User.full_name)
    search = request.args.get("q", "").strip()[:100]
    if search:
        # Without diacritics both ways: Šimić finds Simic, Simic finds Šimić.
        query = query.where(
            or_(*(User.search_text.like(pattern, escape="\\") for pattern in like_patterns(search)))
        )
    institution = arg_id("institution")
    if institution:
        query = query.where(User.institution_id == institution)
    role = request.args.get("role", "")
    if role in ASSIGNABLE_ROLES:
        query = query.where(User.role_rows.any(UserRole.role == role))
    page = db.paginate(query, per_page=current_app.config["USERS_PER_PAGE"], error_out=False)
    return render_template(
        "admin/users.html",
        page=page,
        search=search,
        institution=institution,
        role=role,
        institutions=services.institutions(),
        roles=ASSIGNABLE_ROLES,
        confirm=ConfirmForm(),
    )


@admin_bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def user_new():
    form = _user_form()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                _form_data(form), form.password.data or None, by_id=current_user.id
            )
        except services.EmailTaken:
            form.email.errors.append(_("An account with this e-mail already exists."))
        except services.WeakPassword as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            if form.password.data:
                selfservice.account_created(user)
                message = _("Account created for %(name)s.", name=user.full_name)
            else:
                # Nobody types a password for someone else: they choose their own.
                selfservice.invite(user, by=current_user)
                message = _(
                    "Account created for %(name)s. An invitation to choose a password was "
                    "sent to %(email)s.",
                    name=user.full_name,
                    email=user.email,
                )
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@admin_bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        if user.id == current_user.id and (
            not form.is_active.data or "admin" not in (form.roles.data or [])
        ):
            form.roles.errors.append(_("You cannot remove your own administrator access."))
        else:
            try:
                services.update_user(
                    user, _form_data(form), form.password.data or None, by_id=current_user.id
                )
            except services.EmailTaken:
                form.email.errors.append(_("An account with this e-mail already exists."))
            except services.WeakPassword as error:
                db.session.rollback()
                form.password.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("Changes to %(name)s saved.", name=user.full_name), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, confirm=ConfirmForm())


@admin_bp.route("/users/<int:user_id>/invite", methods=["POST"])
@roles_required("admin")
def user_invite(user_id: int):
    """Send the invitation again (it expired, or went to spam)."""
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not services.awaits_invitation(user) or not user.is_active:
        flash(_("%(name)s has already chosen a password.", name=user.full_name), "info")
    else:
        selfservice.invite(user, by=current_user)
        db.session.commit()
        flash(_("The invitation was sent again to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@admin_bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required("admin")
def user_deactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        services.deactivate(user, by_id=current_user.id)
        db.session.commit()
        flash(_("%(name)s can no longer log in.", name=user.full_name), "success")
    return redirect(url_for("admin.users"))


# The self-service pages, and the bulk import and reactivation, register on the same blueprints.
from app.auth import account_views, admin_views  # noqa: E402, F401
