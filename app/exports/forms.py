"""The form that asks for an export."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField


class ExportForm(FlaskForm):
    kind = SelectField(
        _l("What"),
        choices=[
            SelectChoice("matrix", _l("Competence matrix of every employee")),
            SelectChoice("certificates", _l("Certificates of every employee")),
        ],
    )
    format = SelectField(
        _l("Format"),
        choices=[SelectChoice("xlsx", _l("Excel (XLSX)")), SelectChoice("csv", _l("CSV"))],
    )
    institution = SelectField(_l("Institution"))
    submit = SubmitField(_l("Start the export"))
