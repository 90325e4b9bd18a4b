"""Login, language and user administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from app.auth.models import ASSIGNABLE_ROLES
from app.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.core.forms import CheckboxList, strip_filter
from app.core.i18n import LANGUAGE_NAMES, LANGUAGES


def role_label(role: str) -> LazyString:
    return {
        "learner": _l("Learner"),
        "trainer": _l("Trainer"),
        "hr": _l("HR"),
        "assessor": _l("Assessor"),
        "admin": _l("Administrator"),
    }[role]


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


password_length = Length(
    min=MIN_PASSWORD_LENGTH,
    max=MAX_PASSWORD_LENGTH,
    message=_l(
        "The password must have between %(min)d and %(max)d characters.",
        min=MIN_PASSWORD_LENGTH,
        max=MAX_PASSWORD_LENGTH,
    ),
)


def _new_password_field() -> PasswordField:
    return PasswordField(
        _l("New password"),
        validators=[DataRequired(), password_length],
        description=_l(
            "At least %(count)d characters, and not a common or leaked password. A phrase of "
            "several unrelated words is easy to remember and hard to guess.",
            count=MIN_PASSWORD_LENGTH,
        ),
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), filters=[strip_filter], validators=[DataRequired(), Email(), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=_language_choices)
    next = HiddenField()
    submit = SubmitField(_l("Change language"))


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
        validators=[Optional(), password_length],
        description=_l(
            "At least %(count)d characters, and not a common or leaked password.",
            count=MIN_PASSWORD_LENGTH,
        ),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, institutions=(), job_roles=(), language="sl", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.institution_id.choices = [SelectChoice(row.id, row.name) for row in institutions]
        self.job_role_id.choices = [SelectChoice(0, _l("None"))] + [
            SelectChoice(row.id, row.name(language)) for row in job_roles
        ]
        self.roles.choices = [SelectChoice(role, role_label(role)) for role in ASSIGNABLE_ROLES]


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    new = _new_password_field()
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[strip_filter],
    )
    submit = SubmitField(_l("Send the link"))


class NewPasswordForm(FlaskForm):
    """Choosing a password from a reset or invitation link."""

    new = _new_password_field()
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Save the password"))


class ProfileForm(FlaskForm):
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter]
    )
    language = SelectField(_l("Preferred language"), choices=_language_choices)
    # The e-mails a person may switch off; account security mails are always sent.
    notifications = CheckboxList(_l("Send me e-mails about"), choices=[])
    submit = SubmitField(_l("Save"))


class EmailChangeForm(FlaskForm):
    email = EmailField(
        _l("New e-mail address"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[strip_filter],
    )
    password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    submit = SubmitField(_l("Send a confirmation link"))


class UserImportForm(FlaskForm):
    institution_id = SelectField(_l("Institution"), coerce=int, validators=[DataRequired()])
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv", "txt"], _l("Upload a .csv file.")),
        ],
        description=_l(
            "UTF-8, with the columns e-mail, name, job role, role and language in its first line."
        ),
    )
    deactivate_missing = BooleanField(
        _l("Deactivate the institution's accounts that are not in the file")
    )
    submit = SubmitField(_l("Check the file"))


class UserImportConfirmForm(FlaskForm):
    """The checked file again, to import it as the preview showed."""

    text = HiddenField()
    institution_id = HiddenField()
    deactivate_missing = HiddenField()
    digest = HiddenField()
    confirm = SubmitField(_l("Import the accounts"))
