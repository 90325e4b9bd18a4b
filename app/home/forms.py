"""The form to report an accessibility barrier."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.core.forms import strip_filter


class FeedbackForm(FlaskForm):
    page = StringField(
        _l("Page or document"),
        description=_l("Its address or title, if the barrier is on one page."),
        filters=[strip_filter],
        validators=[Optional(), Length(max=500)],
    )
    message = TextAreaField(
        _l("What did you find difficult or impossible to use?"),
        filters=[strip_filter],
        validators=[DataRequired(), Length(min=10, max=5000)],
    )
    email = EmailField(
        _l("Your e-mail address"),
        description=_l("Optional: we need it to answer you."),
        filters=[strip_filter],
        validators=[Optional(), Email(), Length(max=254)],
    )
    submit = SubmitField(_l("Send"))
