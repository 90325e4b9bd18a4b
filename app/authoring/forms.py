"""Forms of the authoring pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import AnyOf, DataRequired, Email, Length, NumberRange, Optional

from app.core.forms import BoundedIntegerField, CheckboxList, strip_filter


class ImportForm(FlaskForm):
    package = FileField(
        _l("Course package (.zip)"),
        validators=[FileRequired(), FileAllowed(["zip"], _l("Choose a .zip file."))],
        description=_l("A zip of one course folder, as 'Download as zip' or git gives it."),
    )
    submit = SubmitField(_l("Import"))


class AssignTrainerForm(FlaskForm):
    email = EmailField(
        _l("Trainer's e-mail"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField(_l("Assign trainer"))


class UnassignForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Remove"))


LANGUAGE_CHOICES = [
    SelectChoice("sl", _l("Slovenian")),
    SelectChoice("hr", _l("Croatian")),
    SelectChoice("en", _l("English")),
]


class NewCourseForm(FlaskForm):
    slug = StringField(
        _l("Short name"),
        filters=[strip_filter],
        validators=[DataRequired(), Length(max=80)],
        description=_l(
            "Lowercase letters, digits and hyphens; it names the course's folder and address."
        ),
    )
    title = StringField(
        _l("Title"), filters=[strip_filter], validators=[DataRequired(), Length(max=200)]
    )
    source_language = SelectField(
        _l("Written first in"),
        choices=LANGUAGE_CHOICES,
        description=_l("The other languages are translated from this one."),
    )
    translations = CheckboxList(_l("Translated into"), choices=LANGUAGE_CHOICES)
    institution = SelectField(_l("Issuing institution"), choices=[])
    submit = SubmitField(_l("Create draft"))


class LessonForm(FlaskForm):
    title = StringField(
        _l("Title"), filters=[strip_filter], validators=[DataRequired(), Length(max=200)]
    )
    summary = TextAreaField(_l("Summary"), filters=[strip_filter], validators=[Length(max=1000)])
    minutes = BoundedIntegerField(
        _l("Minutes to read"), validators=[Optional(), NumberRange(min=1, max=600)]
    )
    body = TextAreaField(
        _l("Text (Markdown)"),
        description=_l(
            "Start sections with ## and subsections with ###; the title is the page's heading."
        ),
    )
    base_hash = HiddenField()
    is_up_to_date = BooleanField(_l("This translation now matches the current source text"))
    image = FileField(
        _l("Add an image"),
        validators=[FileAllowed(["png", "jpg", "jpeg", "gif", "webp"], _l("Choose an image."))],
        description=_l("PNG, JPEG, GIF or WebP, at most 5 MB. It is added at the end of the text."),
    )
    image_alt = StringField(
        _l("Image description (alt text)"),
        filters=[strip_filter],
        validators=[Length(max=250)],
        description=_l("What the image shows, for people who cannot see it."),
    )
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save draft"))

    def validate_image_alt(self, field) -> None:
        if self.image.data and not field.data:
            raise ValidationError(_l("Describe the image for people who cannot see it."))


class QuizForm(FlaskForm):
    text = TextAreaField(
        _l("Quiz (Markdown)"),
        description=_l("The quiz format of the courses/ folder: front matter, then the questions."),
    )
    base_hash = HiddenField()
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save draft"))


class AddLessonForm(FlaskForm):
    slug = StringField(
        _l("Short name"),
        filters=[strip_filter],
        validators=[DataRequired(), Length(max=80)],
        description=_l("Lowercase letters, digits and hyphens, e.g. first-contact."),
    )
    title = StringField(
        _l("Title"), filters=[strip_filter], validators=[DataRequired(), Length(max=200)]
    )
    submit = SubmitField(_l("Add lesson"))


class MoveForm(FlaskForm):
    offset = HiddenField(validators=[AnyOf(["-1", "1"])])


class ActionForm(FlaskForm):
    """A button that changes something: the form exists for its CSRF token."""

    confirm = BooleanField(_l("Yes, I am sure"))


class PublishForm(FlaskForm):
    overwrite = HiddenField(default="0")
    submit = SubmitField(_l("Publish"))


class SettingsForm(FlaskForm):
    """The fixed part of the course settings; titles and competence levels are added per course."""

    base_hash = HiddenField()
    workload_hours = BoundedIntegerField(
        _l("Workload (hours)"), validators=[DataRequired(), NumberRange(min=1, max=1000)]
    )
    certificate_validity_months = BoundedIntegerField(
        _l("Certificates are valid for (months)"),
        validators=[Optional(), NumberRange(min=1, max=240)],
        description=_l("Leave empty if the certificates do not expire."),
    )
    institution = SelectField(_l("Issuing institution"), choices=[])
    submit = SubmitField(_l("Save draft"))


def settings_form(languages: list[str], competences: list[tuple[str, str]], **kwargs):
    """The settings form of one course: a title and summary per language, a level per competence."""

    class CourseSettingsForm(SettingsForm):
        pass

    names = {choice.value: choice.label for choice in LANGUAGE_CHOICES}
    for language in languages:
        name = names.get(language, language)
        setattr(
            CourseSettingsForm,
            f"title_{language}",
            StringField(
                _l("Title (%(language)s)", language=name),
                filters=[strip_filter],
                validators=[DataRequired(), Length(max=200)],
            ),
        )
        setattr(
            CourseSettingsForm,
            f"summary_{language}",
            TextAreaField(
                _l("Summary (%(language)s)", language=name),
                filters=[strip_filter],
                validators=[Length(max=2000)],
            ),
        )
    levels = [SelectChoice(0, _l("Not developed"))] + [
        SelectChoice(level, str(level)) for level in range(1, 5)
    ]
    for code, name in competences:
        setattr(
            CourseSettingsForm,
            f"level__{code}",
            SelectField(name, choices=levels, coerce=int, default=0),
        )
    return CourseSettingsForm(**kwargs)


class QuizImportForm(FlaskForm):
    file = FileField(
        _l("Question bank from Moodle"),
        validators=[
            FileRequired(),
            FileAllowed(
                ["gift", "txt", "xml"], _l("Upload a GIFT (.gift, .txt) or Moodle XML (.xml) file.")
            ),
        ],
        description=_l(
            "Moodle XML keeps images and points; GIFT is text only. In Moodle: Question bank, "
            "Export."
        ),
    )
    format = SelectField(
        _l("Format"),
        choices=[
            SelectChoice("", _l("Recognise it from the file")),
            SelectChoice("gift", "GIFT"),
            SelectChoice("xml", "Moodle XML"),
        ],
        validators=[AnyOf(["", "gift", "xml"])],
        default="",
    )
    language = SelectField(_l("Language of the questions"), choices=[])
    submit = SubmitField(_l("Preview"))


class QuizImportConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    format = HiddenField(validators=[AnyOf(["gift", "xml"])])
    language = HiddenField(validators=[DataRequired()])
    confirm = SubmitField(_l("Add these questions to the draft"))
