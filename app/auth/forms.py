"""Login, language and user administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from app.auth.models import ASSIGNABLE_ROLES
from app.auth.services import MIN_PASSWORD_LENGTH
from app.core.i18n import LANGUAGE_NAMES, LANGUAGES


def strip_filter(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def role_label(role: str) -> str:
    return {
        "learner": _l("Learner"),
        "trainer": _l("Trainer"),
        "hr": _l("HR"),
        "assessor": _l("Assessor"),
        "admin": _l("Administrator"),
    }[role]


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), filters=[strip_filter], validators=[DataRequired(), Email(), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=_language_choices)
    next = HiddenField()
    submit = SubmitField(_l("Change language"))


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("E-mail"), filters=[strip_filter], validators=[DataRequired(), Email(), Length(max=254)]
    )
    institution_id = SelectField(_l("Institution"), coerce=int, validators=[DataRequired()])
    job_role_id = SelectField(_l("Job role"), coerce=int)
    language = SelectField(_l("Preferred language"), choices=_language_choices)
    roles = CheckboxList(_l("Roles"), choices=[])
    is_active = BooleanField(_l("Active account"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, institutions=(), job_roles=(), language="sl", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.institution_id.choices = [SelectChoice(row.id, row.name) for row in institutions]
        self.job_role_id.choices = [SelectChoice(0, _l("None"))] + [
            SelectChoice(row.id, row.name(language)) for row in job_roles
        ]
        self.roles.choices = [SelectChoice(role, role_label(role)) for role in ASSIGNABLE_ROLES]


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons, so each carries its CSRF token."""

    submit = SubmitField(_l("Confirm"))
