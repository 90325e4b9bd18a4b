"""My competences: levels, targets, gaps, evidence and self-assessment."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from app.auth.models import User
from app.auth.services import active_staff, institution_by_slug, institutions, set_role, units_of
from app.competences import matrix_summary, reports, services
from app.competences import summary as summary_report
from app.competences.forms import RatingForm, SelfAssessmentForm
from app.competences.models import Evidence
from app.core.csvexport import csv_response
from app.core.forms import ConfirmForm
from app.core.i18n import current_language
from app.core.params import arg_id, filter_args
from app.core.permissions import roles_required
from app.courses.services import course_options
from app.extensions import db
from app.framework import services as framework
from app.framework.models import Competence

bp = Blueprint("competences", __name__)


def level_choices(scale: dict, language: str) -> list[SelectChoice]:
    # No level is chosen in advance: a preselected level would be recorded by a careless submit.
    return [SelectChoice("", _("Choose a level"))] + [
        SelectChoice(level, f"{level} – {row.name(language)}")
        for level, row in sorted(scale.items())
    ]


@bp.route("/my/competences", methods=["GET", "POST"])
@roles_required("learner")
def mine():
    language = current_language()
    rows = services.learner_profile(current_user.id, current_user.job_role_id)
    scale = framework.scale()
    form = SelfAssessmentForm()
    form.competence_id.choices = [
        SelectChoice(row.competence.id, row.competence.name(language)) for row in rows
    ]
    form.level.choices = level_choices(scale, language)
    if form.validate_on_submit():
        services.record_evidence(
            [
                services.EvidenceInput(
                    current_user.id,
                    form.competence_id.data,
                    form.level.data,
                    "self",
                    recorded_by_id=current_user.id,
                )
            ]
        )
        db.session.commit()
        flash(
            _("Your self-assessment is saved. It is shown beside your verified level."), "success"
        )
        return redirect(url_for("competences.mine"))
    return render_template(
        "competences/mine.html",
        rows=rows,
        scale=scale,
        history=services.evidence_history(current_user.id),
        form=form,
    )


# --- HR: the matrix of their own institution --------------------------------------------


def _institution_for_request():
    """HR see their own institution only; an administrator may pick any."""

    if current_user.has_role("admin"):
        slug = request.args.get("institution")
        if slug:
            institution = institution_by_slug(slug)
            if institution is None:
                abort(404)
            return institution
    return current_user.institution


def _matrix_filter(institution_id: int) -> reports.MatrixFilter:
    return reports.MatrixFilter(
        institution_id=institution_id,
        job_role_id=arg_id("job_role"),
        area_id=arg_id("area"),
        competence_id=arg_id("competence"),
        course_id=arg_id("course"),
        unit_id=arg_id("unit"),
        sort="gap" if request.args.get("sort") == "gap" else "name",
        gap_only=request.args.get("gap") == "1",
    )


@bp.app_template_global()
def matrix_rows_html(
    matrix: reports.Matrix, language: str, met: str, below: str, no_target: str
) -> Markup:
    """The body rows of the HR matrix. A page of 250 employees x 40 competences has 10,000
    cells; through Jinja each cell costs dozens of escapes and lookups (200 ms a page), here
    one f-string: what a cell shows is the same as the template wrote."""
    # Short markup (classes in app.css under "HR matrix"): 10,000 cells make a page of
    # 1 MB instead of 1.8; each cell still says its level, target and status in words.
    met_mark = f'<span class="ok">✓<span class="vh"> {escape(met)}</span></span>'
    below_mark = f'<strong>✗<span class="vh"> {escape(below)}</span></strong>'
    none_mark = f'<span aria-hidden="true">—</span><span class="vh">{escape(no_target)}</span>'
    role_names: dict[int, str] = {}
    parts = []
    for row in matrix.rows:
        user = row.user
        role = ""
        if user.job_role is not None:
            if user.job_role.id not in role_names:
                role_names[user.job_role.id] = str(escape(user.job_role.name(language)))
            role = f'<br><span class="meta">{role_names[user.job_role.id]}</span>'
        url = escape(url_for("competences.employee", user_id=user.id))
        parts.append(
            f'<tr>\n<th scope="row"><a href="{url}">{escape(user.full_name)}</a>{role}</th>\n'
        )
        for cell in row.cells:
            level, target = cell.level, cell.target
            if target is None:
                parts.append(f'<td><b class="lv{level}">{level}</b> {none_mark}</td>')
            elif level < target:
                parts.append(
                    f'<td class="below"><b class="lv{level}">{level}</b> / {target} '
                    f"{below_mark}</td>"
                )
            else:
                parts.append(f'<td><b class="lv{level}">{level}</b> / {target} {met_mark}</td>')
        parts.append(f"\n<td>{row.gap}</td>\n</tr>\n")
    # Every value above is escaped or a number.
    return Markup("".join(parts))  # noqa: S704  # nosec B704


@bp.route("/hr/matrix")
@roles_required("hr", "admin")
def matrix():

    institution = _institution_for_request()
    query = _matrix_filter(institution.id)
    language = current_language()
    competences = reports.matrix_competences(query)
    page = db.paginate(
        reports.matrix_users(query, competences),
        per_page=current_app.config["MATRIX_PER_PAGE"],
        error_out=False,
        count=False,
    )
    page.total = reports.matrix_count(query, competences)
    max_age = current_app.config["SUMMARY_MAX_AGE"]
    matrix = reports.build_matrix(query, page.items, competences, summary_max_age=max_age)
    choices = list(
        db.session.scalars(
            db.select(Competence)
            .where(Competence.is_retired.is_(False))
            .options(joinedload(Competence.area))
            .order_by(Competence.position)
        )
    )
    page_html = render_template(
        "competences/matrix.html",
        institution=institution,
        institutions=institutions() if current_user.has_role("admin") else [],
        matrix=matrix,
        page=page,
        query=query,
        scale=framework.scale(),
        job_roles=framework.active_job_roles(),
        units=units_of(institution.id),
        # The filters' areas and competences from one query (the page's query count is fixed).
        areas=sorted({row.area for row in choices}, key=lambda area: area.position),
        competences=choices,
        courses=course_options(language),
        # The filters, for the export links and the pager (which adds the page itself).
        export_args=filter_args(),
        max_age_minutes=round(max_age / 60),
        form=ConfirmForm(),
    )
    if matrix.summary_computed and max_age > 0:
        db.session.commit()  # the summary row's counts, kept for every server
    return page_html


@bp.route("/hr/matrix/recalculate", methods=["POST"])
@roles_required("hr", "admin")
def recalculate_matrix():
    """Count the matrix's summary row again now; the filters come back in the query string."""
    institution = _institution_for_request()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    matrix_summary.recount(institution.id)
    db.session.commit()
    flash(_("The summary row has been calculated again."), "success")
    filters: dict[str, Any] = filter_args()
    return redirect(url_for("competences.matrix", **filters))


@bp.route("/hr/matrix.<any(csv, xlsx):kind>")
@roles_required("hr", "admin")
def matrix_export(kind: str):
    institution = _institution_for_request()
    data = reports.stream_matrix(_matrix_filter(institution.id))
    name = f"competences-{institution.slug}"
    if kind == "csv":
        # Streamed: the levels are read a thousand people at a time as the download runs.
        return csv_response(reports.matrix_rows(data, current_language()), f"{name}.csv")
    # Written to a temporary file and streamed from disk, so a large export is not held in
    # memory a second time; the file goes when the response is closed.
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    reports.write_xlsx(data, current_language(), handle.name)
    response = send_file(
        handle.name,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{name}.xlsx",
    )
    response.call_on_close(lambda: Path(handle.name).unlink(missing_ok=True))
    return response


RATERS = ("hr", "admin", "trainer", "assessor")


def _person_in_scope(user_id: int):
    """The person, if the current rater may see them: HR, trainers and assessors their own
    institution's staff, an administrator anyone."""

    person = db.get_or_404(User, user_id)
    if not current_user.has_role("admin") and person.institution_id != current_user.institution_id:
        abort(403)
    return person


@bp.route("/hr/employees/<int:user_id>", methods=["GET", "POST"])
@roles_required(*RATERS)
def employee(user_id: int):
    person = _person_in_scope(user_id)
    language = current_language()
    scale = framework.scale()
    form = RatingForm()
    form.competence_id.choices = [
        SelectChoice(competence.id, competence.name(language))
        for competence in framework.active_competences()
    ]
    form.level.choices = level_choices(scale, language)
    is_self = person.id == current_user.id
    if is_self and request.method == "POST":
        # Nobody verifies their own competence: their view is a self-assessment, kept apart.
        abort(403)
    if form.validate_on_submit():
        services.record_evidence(
            [
                services.EvidenceInput(
                    person.id,
                    form.competence_id.data,
                    form.level.data,
                    "rating",
                    recorded_by_id=current_user.id,
                    comment=form.comment.data,
                )
            ]
        )
        db.session.commit()
        flash(_("The rating is recorded."), "success")
        return redirect(url_for("competences.employee", user_id=person.id))
    history = services.evidence_history(person.id)
    return render_template(
        "competences/employee.html",
        person=person,
        rows=services.learner_profile(person.id, person.job_role_id),
        history=history,
        superseded={item.supersedes_id for item in history if item.supersedes_id},
        scale=scale,
        form=None if is_self else form,
    )


def _summary_viewer() -> None:
    # Besides administrators, HR of the lead partner see the summary across institutions.
    if not current_user.has_role("admin") and current_user.institution.partner_role != "lead":
        abort(403)


@bp.route("/reports/summary")
@roles_required("hr", "admin")
def summary():
    _summary_viewer()
    max_age = current_app.config["SUMMARY_MAX_AGE"]
    report = summary_report.summary_report(max_age)
    page = render_template(
        "competences/summary.html",
        report=report,
        competences=report.competences,
        rows=report.rows,
        small=summary_report.SMALL_GROUP,
        max_age_minutes=round(max_age / 60),
        form=ConfirmForm(),
    )
    if report.computed:
        db.session.commit()  # kept for every server
    return page


@bp.route("/reports/summary/recalculate", methods=["POST"])
@roles_required("hr", "admin")
def recalculate_summary():
    """Count the summary again now, with every record made since it was last counted."""
    _summary_viewer()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    summary_report.recount()
    db.session.commit()
    flash(_("The summary has been calculated again."), "success")
    return redirect(url_for("competences.summary"))


@bp.route("/hr/evidence/<int:evidence_id>/correct", methods=["GET", "POST"])
@roles_required(*RATERS)
def correct(evidence_id: int):
    old = db.get_or_404(Evidence, evidence_id)
    person = _person_in_scope(old.user_id)
    if old.source != "rating":
        abort(404)
    if person.id == current_user.id:
        abort(403)  # a correction of one's own rating would be a rating of oneself
    language = current_language()
    form = RatingForm()
    form.competence_id.choices = [SelectChoice(old.competence_id, old.competence.name(language))]
    form.level.choices = level_choices(framework.scale(), language)
    if request.method == "GET":
        form.competence_id.data, form.level.data = old.competence_id, old.level
    if form.validate_on_submit():
        try:
            services.supersede(old, form.level.data, current_user.id, form.comment.data)
        except services.EvidenceError:
            flash(_("This rating has already been corrected."), "error")
        else:
            db.session.commit()
            flash(_("The correction is recorded; the earlier rating stays in the history."),
                  "success")  # fmt: skip
        return redirect(url_for("competences.employee", user_id=person.id))
    return render_template("competences/correct.html", old=old, person=person, form=form)


@bp.route("/hr/assessors", methods=["GET", "POST"])
@roles_required("hr", "admin")
def assessors():
    """HR appoint assessors among the staff of their own institution."""

    institution = _institution_for_request()
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        person = db.get_or_404(User, arg_id("user_id", source="form") or 0)
        if person.institution_id != institution.id:
            abort(403)
        appoint = request.form.get("appoint") == "1"
        set_role(person, "assessor", appoint, by_id=current_user.id)
        db.session.commit()
        if appoint:
            flash(_("%(name)s is now an assessor.", name=person.full_name), "success")
        else:
            flash(_("%(name)s is no longer an assessor.", name=person.full_name), "success")
        # Back to the same institution's list (an administrator's choice); nothing else from
        # the query string, whose keys could otherwise fill url_for's own (_external, ...).
        return redirect(
            url_for("competences.assessors", institution=request.args.get("institution"))
        )
    people = active_staff(institution.id)
    return render_template(
        "competences/assessors.html", institution=institution, people=people, form=ConfirmForm()
    )


# Changing and withdrawing assignments register on the same blueprint.
from app.competences import assignment_views, role_views  # noqa: E402, F401
