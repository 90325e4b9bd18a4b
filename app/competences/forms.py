"""Forms for competences: the learner's self-assessment and a trainer's rating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class SelfAssessmentForm(FlaskForm):
    competence_id = SelectField(_l("Competence"), coerce=int, validators=[DataRequired()])
    level = SelectField(_l("Your own estimate of your level"), coerce=int)
    submit = SubmitField(_l("Save my self-assessment"))


class RatingForm(FlaskForm):
    competence_id = SelectField(_l("Competence"), coerce=int, validators=[DataRequired()])
    level = SelectField(_l("Level"), coerce=int)
    comment = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("What you observed that shows this level."),
    )
    submit = SubmitField(_l("Record the rating"))
