"""Forms for competences: the learner's self-assessment and a trainer's rating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.core.forms import CheckboxList


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


class PeopleField(CheckboxList):
    """Employees chosen in a list of checkboxes (a search box narrows it, static/js/people.js);
    "0" (nobody, from older forms and scripts) is left out."""

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata([value for value in valuelist if value not in ("", "0")])


class AssignmentForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=int, validators=[DataRequired()])
    # One field for one person or many: each shown with their unit and e-mail, so two people
    # of the same name are told apart; a browser's list finds a name as it is typed.
    user_id = PeopleField(
        _l("Employees"),
        coerce=int,
        description=_l("Tick one or more, or choose a job role below."),
    )
    job_role_id = SelectField(_l("or everyone in the job role"), coerce=int)
    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    submit = SubmitField(_l("Assign the course"))


class JobRoleForm(FlaskForm):
    name_sl = StringField(_l("Name in Slovenian"), validators=[DataRequired(), Length(max=200)])
    name_hr = StringField(_l("Name in Croatian"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Save"))


class NewJobRoleForm(JobRoleForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=64)],
        description=_l(
            "Lower-case letters, digits and hyphens, for example case-manager. It identifies "
            "the role in HR files and cannot be changed later."
        ),
    )
    submit = SubmitField(_l("Create the job role"))


def target_form(
    competences: list[tuple[int, str]], choices: list[SelectChoice], **kwargs: object
) -> JobRoleForm:
    """The role form with one target field per competence (field name target_<id>)."""

    class TargetsForm(JobRoleForm):
        pass

    for competence_id, label in competences:
        setattr(
            TargetsForm,
            f"target_{competence_id}",
            SelectField(label, choices=choices, coerce=level_or_none, validators=[Optional()]),
        )
    return TargetsForm(**kwargs)
