"""Certificate pages: public verification and issuer profiles, learners', HR's and admins' lists."""

from __future__ import annotations

from itertools import chain

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import Institution
from app.auth.services import institution_by_slug, institutions, user_by_email
from app.certificates import europass, handissue, listing, replacement, services, stored
from app.certificates.forms import IssueForm, LookupForm, RevokeForm
from app.certificates.models import Certificate
from app.certificates.pdf import format_code
from app.core.csvexport import csv_response
from app.core.errors import DomainError
from app.core.i18n import current_language
from app.core.params import arg_id, arg_year, filter_args
from app.core.permissions import public, roles_required
from app.core.ratelimit import client_key
from app.courses.models import Course
from app.courses.services import course_options, course_title
from app.extensions import db, limiter

bp = Blueprint("certificates", __name__)
STATUSES = (services.VALID, services.EXPIRED, services.REVOKED)


# --- public ------------------------------------------------------------------------------------


@bp.route("/verify")
@public
def lookup():
    form = LookupForm(request.args)
    if request.args and form.validate():
        code = services.normalise_code(form.code.data)
        if code:
            return redirect(url_for("certificates.verify", code=code))
        form.code.errors.append(_("This is not a verification code: check the 16 characters."))
    return render_template("certificates/lookup.html", form=form)


def _verify_limited(_limit) -> Response:
    return Response(render_template("certificates/verify.html", limited=True), status=429)


@bp.route("/verify/<code>")
@public
@limiter.limit(
    lambda: current_app.config["VERIFY_RATE_LIMIT"], key_func=client_key, on_breach=_verify_limited
)
def verify(code: str):
    certificate = services.find_by_code(code)
    status = services.status_of(certificate) if certificate else services.UNKNOWN
    response = render_template(
        "certificates/verify.html", certificate=certificate, status=status, limited=False
    )
    return response, (200 if certificate else 404)


@bp.route("/verify/<code>/europass.json")
@public
@limiter.limit(
    lambda: current_app.config["VERIFY_RATE_LIMIT"], key_func=client_key, on_breach=_verify_limited
)
def verify_europass(code: str):
    """The certificate as a Europass credential, for anyone who has its verification code."""
    certificate = services.find_by_code(code)
    if certificate is None:
        abort(404)
    return _europass_download(certificate)


def _europass_download(certificate: Certificate) -> ResponseReturnValue:
    try:
        text = europass.credential_json(certificate)
    except DomainError as error:
        flash(str(error), "error")
        return redirect(url_for("certificates.verify", code=certificate.code))
    return Response(
        text,
        mimetype="application/ld+json",
        headers={
            "Content-Disposition": f'attachment; filename="{certificate.serial}-europass.json"'
        },
    )


def _issuer_or_404(slug: str) -> Institution:
    institution = institution_by_slug(slug)
    if institution is None:
        abort(404)
    return institution


# --- learners ----------------------------------------------------------------------------------


@bp.route("/my/certificates")
@roles_required("learner")
def mine():
    waiting = [
        course_id for _user, course_id in handissue.pending_certificates(user_id=current_user.id)
    ]
    return render_template(
        "certificates/mine.html",
        certificates=listing.learner_certificates(current_user.id),
        waiting=[
            course_title(course, current_language())
            for course in db.session.scalars(select(Course).where(Course.id.in_(waiting)))
        ],
    )


def _certificate_in_scope(certificate_id: int) -> Certificate:
    """The learner's own, HR's employees', or any for an administrator; otherwise 404."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    if current_user.has_role("admin") or certificate.user_id == current_user.id:
        return certificate
    if (
        current_user.has_role("hr")
        and certificate.user.institution_id == current_user.institution_id
    ):
        return certificate
    abort(404)


@bp.route("/certificates/<int:certificate_id>.pdf")
@roles_required("learner")
def pdf(certificate_id: int):
    certificate = _certificate_in_scope(certificate_id)
    english = request.args.get("lang") == "en"
    data = stored.pdf_bytes(certificate, english=english)
    db.session.commit()  # the English version is stored the first time it is asked for
    suffix = "-en" if english else ""
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{certificate.serial}{suffix}.pdf"'},
    )


@bp.route("/certificates/<int:certificate_id>.json")
@roles_required("learner")
def credential(certificate_id: int):
    certificate = _certificate_in_scope(certificate_id)
    return Response(
        services.credential_json(certificate),
        mimetype="application/ld+json",
        headers={"Content-Disposition": f'attachment; filename="{certificate.serial}.json"'},
    )


@bp.route("/certificates/<int:certificate_id>/europass.json")
@roles_required("learner")
def europass_credential(certificate_id: int):
    return _europass_download(_certificate_in_scope(certificate_id))


# --- HR and administrators ---------------------------------------------------------------------


def _filters() -> listing.CertificateFilters:
    status = request.args.get("status")
    return listing.CertificateFilters(
        course_id=arg_id("course"),
        status=status if status in STATUSES else None,
        search=request.args.get("q", "").strip()[:100],
        year=arg_year("year"),
    )


def _scope() -> tuple[int | None, Institution | None]:
    """HR see their own institution's employees; an administrator all, or one institution."""
    if current_user.has_role("admin"):
        slug = request.args.get("institution")
        if slug:
            institution = _issuer_or_404(slug)
            return institution.id, institution
        return None, None
    return current_user.institution_id, current_user.institution


@bp.route("/hr/certificates")
@roles_required("hr", "admin")
def institution_list():
    institution_id, institution = _scope()
    filters = _filters()
    return render_template(
        "certificates/list.html",
        page=listing.paginate(
            listing.certificates_query(institution_id, filters),
            per_page=current_app.config["LIST_PER_PAGE"],
        ),
        filters=filters,
        institution=institution,
        institutions=institutions() if current_user.has_role("admin") else [],
        courses=course_options(current_language()),
        years=listing.issued_years(),
        statuses=STATUSES,
        # The filters, for the CSV link and the pager (which adds the page itself).
        export_args=filter_args(),
    )


@bp.route("/hr/certificates.csv")
@roles_required("hr", "admin")
def institution_csv():
    institution_id, institution = _scope()
    rows = listing.stream(listing.certificates_query(institution_id, _filters()))
    language = current_language()
    status_names = status_labels()
    header = [
        _("Serial number"),
        _("Employee"),
        _("E-mail"),
        _("Course"),
        _("Issuer"),
        _("Issued on"),
        _("Valid until"),
        _("Status"),
        _("Revoked on"),
        _("Reason"),
    ]
    # A generator after the header: the rows are read and sent while the download runs.
    return csv_response(
        chain(
            [header],
            (
                [
                    row.serial,
                    row.learner_name,
                    row.user.email,
                    listing.title_in(row, language),
                    row.institution.short_name,
                    row.issued_on.isoformat(),
                    row.expires_on.isoformat() if row.expires_on else "",
                    status_names[services.status_of(row)],
                    row.revoked_at.date().isoformat() if row.revoked_at else "",
                    row.revoked_reason,
                ]
                for row in rows
            ),
        ),
        f"certificates-{institution.slug if institution else 'all'}.csv",
    )


def status_labels() -> dict[str, str]:
    return {
        services.VALID: _("Valid"),
        services.EXPIRED: _("Expired"),
        services.REVOKED: _("Revoked"),
        services.UNKNOWN: _("Unknown"),
    }


def _hand_issue_courses() -> list[tuple[int, str]]:
    """The courses the current user may issue by hand: theirs as a trainer, their
    institution's as an administrator."""
    allowed = set(handissue.courses_issuable_by(current_user))
    return [
        (course_id, title)
        for course_id, title in course_options(current_language())
        if course_id in allowed
    ]


@bp.route("/certificates/issue", methods=["GET", "POST"])
@roles_required("trainer", "admin")
def issue_form():
    form = IssueForm()
    form.course.choices = [(str(course_id), title) for course_id, title in _hand_issue_courses()]
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        course = db.session.get(Course, int(form.course.data))
        if user is None:
            form.email.errors.append(_("There is no account with this e-mail address."))
        elif course is None:
            abort(404)
        else:
            try:
                certificate, created = handissue.issue_by_hand(
                    user, course, current_user, form.reason.data
                )
            except DomainError as error:
                db.session.rollback()
                form.reason.errors.append(str(error))
                return render_template("certificates/issue.html", form=form), 409
            db.session.commit()
            if created:
                flash(_("Certificate %(serial)s issued.", serial=certificate.serial), "success")
            else:
                flash(
                    _("%(name)s already has certificate %(serial)s for this course.",
                      name=certificate.learner_name, serial=certificate.serial),
                    "info",
                )  # fmt: skip
            return redirect(url_for("certificates.issue_form"))
    return render_template("certificates/issue.html", form=form)


@bp.route("/certificates/<int:certificate_id>")
@roles_required("hr", "admin")
def detail(certificate_id: int):
    """A certificate for staff: what it attests, who issued it by hand and why, revocation."""
    certificate = _certificate_in_scope(certificate_id)
    return render_template(
        "certificates/detail.html",
        certificate=certificate,
        may_revoke=handissue.may_revoke(current_user, certificate),
        may_replace=replacement.may_replace(current_user, certificate),
    )


def issued_by_own_institution(certificate_id: int) -> Certificate:
    """The certificate, if the administrator's institution issued it (404 if none, else 403)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    if not handissue.may_revoke(current_user, certificate):
        abort(403)
    return certificate


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@roles_required("admin")
def revoke(certificate_id: int):
    certificate = issued_by_own_institution(certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(certificate, current_user, form.reason.data)
        except DomainError as error:
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Certificate %(serial)s revoked.", serial=certificate.serial), "success")
            return redirect(url_for("certificates.detail", certificate_id=certificate.id))
    return render_template("certificates/revoke.html", form=form, certificate=certificate)


@bp.app_context_processor
def _certificate_helpers():
    return {
        "certificate_status": services.status_of,
        "certificate_status_labels": status_labels,
        "certificate_title": lambda certificate: listing.title_in(certificate, current_language()),
    }


@bp.app_template_filter("format_code")
def _format_code(code: str) -> str:
    return format_code(code)


# The issuer pages register on the same blueprint.
from app.certificates import (  # noqa: E402, F401
    institution_views,
    issuer_views,
    replace_views,
)
