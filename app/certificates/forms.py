"""Forms for looking up, issuing and revoking certificates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from app.core.forms import strip_filter


class LookupForm(FlaskForm):
    # A GET form that only reads: nothing to protect with a CSRF token.
    class Meta:
        csrf = False

    code = StringField(
        _l("Verification code"),
        validators=[DataRequired(), Length(max=40)],
        filters=[strip_filter],
        description=_l("The 16 characters printed under the QR code, e.g. ABCD-EFGH-JKMN-PQRS."),
    )
    submit = SubmitField(_l("Check"))


class IssueForm(FlaskForm):
    email = EmailField(
        _l("Learner's e-mail"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[strip_filter],
    )
    course = SelectField(_l("Course"), validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[strip_filter],
        description=_l(
            "Why the certificate is issued by hand: for example the date, place and trainer of "
            "the training held in person. It is recorded with your name."
        ),
    )
    submit = SubmitField(_l("Issue certificate"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the revocation"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[strip_filter],
        description=_l(
            "Kept for the institution's records; the public verification page shows only that "
            "the certificate was revoked, and when."
        ),
    )
    submit = SubmitField(_l("Revoke certificate"))


class EmblemForm(FlaskForm):
    emblem = FileField(
        _l("Emblem or logo"),
        validators=[
            FileRequired(_l("Choose a PNG or JPEG image.")),
            FileAllowed(["png", "jpg", "jpeg"], _l("Choose a PNG or JPEG image.")),
        ],
        description=_l(
            "PNG or JPEG, at most 2 MB. It is printed at the top of the institution's "
            "certificates from now on; a transparent background is printed white."
        ),
    )
    submit = SubmitField(_l("Upload emblem"))


class ReplaceForm(FlaskForm):
    reason = TextAreaField(
        _l("What was wrong, and what the new certificate corrects"),
        validators=[DataRequired(), Length(max=2000)],
        filters=[strip_filter],
        description=_l(
            "At least 20 characters. Recorded with your name and shown to the institution's "
            "staff; the learner is told by e-mail that a new certificate was issued."
        ),
    )
    submit = SubmitField(_l("Issue the new certificate"))


class InstitutionForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=255)],
        filters=[strip_filter],
        description=_l("As it appears on certificates and in the issuer profile."),
    )
    short_name = StringField(
        _l("Short name"), validators=[DataRequired(), Length(max=64)], filters=[strip_filter]
    )
    street_address = StringField(
        _l("Street and number"), validators=[Length(max=200)], filters=[strip_filter]
    )
    postal_code = StringField(
        _l("Postal code"), validators=[Length(max=20)], filters=[strip_filter]
    )
    locality = StringField(_l("Town or city"), validators=[Length(max=100)], filters=[strip_filter])
    signatory_name = StringField(
        _l("Signatory"),
        validators=[DataRequired(), Length(max=200)],
        filters=[strip_filter],
        description=_l("The person whose name is printed above the signature line."),
    )
    signatory_title = StringField(
        _l("Signatory's position"),
        validators=[DataRequired(), Length(max=200)],
        filters=[strip_filter],
        description=_l("For example: Director."),
    )
    submit = SubmitField(_l("Save"))
