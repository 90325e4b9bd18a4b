"""Forms of the quiz pages: start, grade an essay."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from app.core.forms import FiniteDecimalField


class StartForm(FlaskForm):
    submit = SubmitField(_l("Start the quiz"))


class GradeForm(FlaskForm):
    # InputRequired, not DataRequired: 0 % is a grade a trainer may give.
    percent = FiniteDecimalField(
        _l("Score in percent"), places=None, validators=[InputRequired(), NumberRange(0, 100)]
    )
    comment = TextAreaField(_l("Comment for the learner"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Save the grade"))
