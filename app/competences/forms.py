"""Forms for competences: the learner's self-assessment and a trainer's rating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length


def level_or_none(value: object) -> int | None:
    """The chosen level; None for the empty "choose a level" entry (InputRequired refuses it)."""
    return None if value in ("", None) else int(value)  # type: ignore[call-overload]


class SelfAssessmentForm(FlaskForm):
    competence_id = SelectField(_l("Competence"), coerce=int, validators=[DataRequired()])
    level = SelectField(
        _l("Your own estimate of your level"), coerce=level_or_none, validators=[InputRequired()]
    )
    submit = SubmitField(_l("Save my self-assessment"))


class RatingForm(FlaskForm):
    competence_id = SelectField(_l("Competence"), coerce=int, validators=[DataRequired()])
    level = SelectField(_l("Level"), coerce=level_or_none, validators=[InputRequired()])
    comment = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("What you observed that shows this level."),
    )
    submit = SubmitField(_l("Record the rating"))


class PeopleField(SelectMultipleField):
    """Employees chosen in a list; "0" (nobody, from older forms and scripts) is left out."""

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata([value for value in valuelist if value not in ("", "0")])


class AssignmentForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=int, validators=[DataRequired()])
    # One field for one person or many: each shown with their unit and e-mail, so two people
    # of the same name are told apart; a browser's list finds a name as it is typed.
    user_id = PeopleField(
        _l("Employees"),
        coerce=int,
        description=_l("One or more (Ctrl or Shift to choose several), or a job role below."),
        render_kw={"size": 8},
    )
    job_role_id = SelectField(_l("or everyone in the job role"), coerce=int)
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    submit = SubmitField(_l("Assign the course"))
