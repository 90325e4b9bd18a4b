"""The erasure form: the person's e-mail typed again, the reason, and the confirmations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.forms import strip_filter


class EraseForm(FlaskForm):
    email = StringField(
        _l("The person's e-mail address, typed again"),
        validators=[DataRequired(), Length(max=254)],
        filters=[strip_filter],
    )
    reason = TextAreaField(
        _l("Reason (the request, its date and how it was received)"),
        validators=[DataRequired(), Length(min=10, max=2000)],
        filters=[strip_filter],
    )
    confirm_open = BooleanField(_l("Erase all the same, although courses are still assigned"))
    submit = SubmitField(_l("Erase the personal data"))
