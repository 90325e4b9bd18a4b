"""Form helpers every feature uses: filters and fields that refuse what the database cannot hold."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectMultipleField, SubmitField, widgets

from app.core.security import MAX_ID


def strip_filter(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class CheckboxList(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConfirmForm(FlaskForm):
    """A bare form for POST buttons, so each carries its CSRF token."""

    submit = SubmitField(_l("Confirm"))


class FiniteDecimalField(DecimalField):
    """A decimal number; NaN, sNaN and Infinity are not numbers a person means."""

    data: Decimal | None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Enter a number, such as 75 or 62.5."))


class BoundedIntegerField(IntegerField):
    """A whole number that fits the database's integer columns (the validators say the rest)."""

    data: int | None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, int) and abs(self.data) > MAX_ID:
            self.data = None
            raise ValueError(_l("This number is too large."))
