"""Login, logout, language choice and the administration of accounts."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.auth import services
from app.auth.forms import ConfirmForm, LanguageForm, LoginForm, UserForm
from app.auth.models import ASSIGNABLE_ROLES, User, UserRole
from app.competences.services import active_job_roles
from app.core.i18n import current_language
from app.core.permissions import public, roles_required
from app.core.security import is_safe_redirect
from app.extensions import db, login_manager

bp = Blueprint("auth", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # Every logged-in request starts here: the user, institution, job role and roles in one
    # query rather than two (the relationship's own selectin load is a second round trip).
    user = (
        db.session.scalars(
            select(User).where(User.id == int(user_id)).options(joinedload(User.role_rows))
        )
        .unique()
        .one_or_none()
    )
    return user if user is not None and user.is_active else None


@login_manager.unauthorized_handler
def _unauthorized():
    flash(_("Please log in to see this page."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _redirect_next(default: str):
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_redirect(target) else default)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return _redirect_next(url_for("courses.my_learning"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, request.remote_addr or ""
            )
        except services.LoginThrottled as error:
            db.session.commit()
            form.email.errors.append(
                _(
                    "Too many failed attempts. Please try again in %(minutes)d minutes.",
                    minutes=error.minutes,
                )
            )
            return render_template("auth/login.html", form=form), 429
        if user is None:
            db.session.commit()  # keep the failure record for throttling
            form.password.errors.append(_("The e-mail or password is not correct."))
            return render_template("auth/login.html", form=form), 200
        session.clear()  # a fresh session on login, against fixation
        login_user(user)
        db.session.commit()
        flash(_("Welcome, %(name)s.", name=user.full_name), "success")
        return _redirect_next(url_for("courses.my_learning"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@roles_required("learner")
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    language = current_user.language
    logout_user()
    session.clear()
    session["language"] = language
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["language"] = form.language.data
    if current_user.is_authenticated:
        services.set_language(current_user, form.language.data)
        db.session.commit()
    return _redirect_next(url_for("courses.catalogue"))


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
    search = request.args.get("q", "").strip()
    if search:
        pattern = f"%{search}%"
        query = query.where(or_(User.full_name.ilike(pattern), User.email.ilike(pattern)))
    institution = request.args.get("institution", type=int)
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
        password = form.password.data or services.generate_password()
        try:
            user = services.create_user(_form_data(form), password)
        except services.EmailTaken:
            form.email.errors.append(_("An account with this e-mail already exists."))
        else:
            db.session.commit()
            if form.password.data:
                flash(_("Account created for %(name)s.", name=user.full_name), "success")
            else:
                flash(
                    _(
                        "Account created for %(name)s. Their password is %(password)s; "
                        "give it to them in person.",
                        name=user.full_name,
                        password=password,
                    ),
                    "success",
                )
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
                services.update_user(user, _form_data(form), form.password.data or None)
            except services.EmailTaken:
                form.email.errors.append(_("An account with this e-mail already exists."))
            else:
                db.session.commit()
                flash(_("Changes to %(name)s saved.", name=user.full_name), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@admin_bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@roles_required("admin")
def user_deactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        user.is_active = False
        db.session.commit()
        flash(_("%(name)s can no longer log in.", name=user.full_name), "success")
    return redirect(url_for("admin.users"))
