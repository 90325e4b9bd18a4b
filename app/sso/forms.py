"""The administrator's single sign-on settings form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import strip_filter


class SsoForm(FlaskForm):
    issuer = StringField(
        _l("Issuer"),
        filters=[strip_filter],
        validators=[DataRequired(), Length(max=500)],
        description=_l("The provider's address, e.g. https://login.example.si/realms/staff"),
    )
    client_id = StringField(
        _l("Client id"), filters=[strip_filter], validators=[DataRequired(), Length(max=255)]
    )
    # Never filled in from the database: the secret is not shown back, empty keeps it.
    client_secret = PasswordField(
        _l("Client secret"),
        validators=[Optional(), Length(max=500)],
        description=_l("Leave empty to keep the secret saved before."),
    )
    scopes = StringField(
        _l("Scopes"), filters=[strip_filter], validators=[DataRequired(), Length(max=255)]
    )
    claim_email = StringField(
        _l("Claim with the e-mail address"),
        filters=[strip_filter],
        validators=[DataRequired(), Length(max=100)],
    )
    claim_name = StringField(
        _l("Claim with the full name"), filters=[strip_filter], validators=[Length(max=100)]
    )
    claim_job_role = StringField(
        _l("Claim with the job role code"),
        filters=[strip_filter],
        validators=[Length(max=100)],
        description=_l("Leave empty to keep job roles as HR set them."),
    )
    claim_unit = StringField(
        _l("Claim with the unit code"), filters=[strip_filter], validators=[Length(max=100)]
    )
    role_claim = StringField(
        _l("Claim with the groups or roles"),
        filters=[strip_filter],
        validators=[Length(max=100)],
        description=_l("Only with a role mapping below; leave both empty to grant no roles."),
    )
    role_map = TextAreaField(
        _l("Role mapping"),
        validators=[Length(max=5000)],
        description=_l(
            "One per line: a value of the claim, “=”, and a role (trainer, assessor or hr), "
            "e.g. “lms-trainers = trainer”. The administrator role is never given this way."
        ),
    )
    is_enabled = BooleanField(_l("Single sign-on is switched on"), default=True)
    is_jit_enabled = BooleanField(
        _l("Create an account at the first sign-in of someone without one"), default=True
    )
    is_password_login_allowed = BooleanField(
        _l("Staff of the institution may also log in with a password"), default=True
    )
    submit = SubmitField(_l("Save"))


def parse_role_map(text: str) -> dict[str, str] | None:
    """{claim value: role} from "value = role" lines; None when a line has no "="."""
    mapping = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        value, sep, role = line.rpartition("=")
        if not sep or not value.strip():
            return None
        mapping[value.strip()] = role.strip()
    return mapping


def format_role_map(mapping: dict[str, str]) -> str:
    return "\n".join(f"{value} = {role}" for value, role in sorted(mapping.items()))
