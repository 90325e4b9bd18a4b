"""Forms of the authoring pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, HiddenField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class ImportForm(FlaskForm):
    package = FileField(
        _l("Course package (.zip)"),
        validators=[FileRequired(), FileAllowed(["zip"], _l("Choose a .zip file."))],
        description=_l("A zip of one course folder, as 'Download as zip' or git gives it."),
    )
    submit = SubmitField(_l("Import"))


class AssignTrainerForm(FlaskForm):
    email = EmailField(
        _l("Trainer's e-mail"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField(_l("Assign trainer"))


class UnassignForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Remove"))
