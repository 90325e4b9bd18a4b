"""My competences: levels, targets, gaps, evidence and self-assessment."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.competences import services
from app.competences.forms import SelfAssessmentForm
from app.core.i18n import current_language
from app.core.permissions import roles_required
from app.extensions import db

bp = Blueprint("competences", __name__)


def level_choices(scale: dict, language: str) -> list[SelectChoice]:
    return [SelectChoice(level, f"{level} – {row.name(language)}") for level, row in
            sorted(scale.items())]  # fmt: skip


@bp.route("/my/competences", methods=["GET", "POST"])
@roles_required("learner")
def mine():
    language = current_language()
    rows = services.learner_profile(current_user.id, current_user.job_role_id)
    scale = services.scale()
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
