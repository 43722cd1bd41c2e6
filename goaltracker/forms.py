"""Form pieces shared by every part of the service: GOV.UK-styled fields and safe redirects."""

import datetime
from urllib.parse import urlsplit

from flask import request
from flask_wtf import file as flask_wtf_file
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import fields
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError


def choice_list(pairs) -> list[SelectChoice]:
    """Return (value, label) pairs as the choices WTForms expects."""
    return [
        pair if isinstance(pair, SelectChoice) else SelectChoice(str(pair[0]), pair[1])
        for pair in pairs
    ]


class ChoicesMixin:
    """Accept choices as (value, label) pairs, as the rest of the code writes them."""

    def __init__(self, *args, choices=None, **kwargs):
        """Convert the choices once, when the field is made."""
        if choices is not None and not callable(choices):
            choices = choice_list(choices)
        super().__init__(*args, choices=choices, **kwargs)


class StringField(fields.StringField):
    """A text input in the GOV.UK style."""

    widget = GovTextInput()


class EmailField(fields.EmailField):
    """An email input in the GOV.UK style."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        """Keep the address trimmed."""
        super().process_formdata(valuelist)
        if self.data:
            self.data = self.data.strip()


class PasswordField(fields.PasswordField):
    """A password input in the GOV.UK style, with a show/hide button."""

    widget = GovPasswordInput()


class TextAreaField(fields.TextAreaField):
    """A textarea in the GOV.UK style."""

    widget = GovTextArea()


class CharacterCountField(fields.TextAreaField):
    """A textarea that says how many characters are left."""

    widget = GovCharacterCount()


class SelectField(ChoicesMixin, fields.SelectField):
    """A select in the GOV.UK style."""

    widget = GovSelect()


class RadioField(ChoicesMixin, fields.RadioField):
    """Radios in the GOV.UK style."""

    widget = GovRadioInput()


class CheckboxesField(ChoicesMixin, fields.SelectMultipleField):
    """Checkboxes in the GOV.UK style."""

    widget = GovCheckboxesInput()

    def pre_validate(self, form):
        """Refuse values that are not among the choices, with a plain message."""
        allowed = {str(choice.value) for choice in self.choices or []}
        for value in self.data or []:
            if str(value) not in allowed:
                raise ValidationError("Choose from the options shown")


class IntegerField(fields.IntegerField):
    """A whole-number input in the GOV.UK style."""

    widget = GovTextInput()


class DecimalField(fields.DecimalField):
    """A number input in the GOV.UK style."""

    widget = GovTextInput()


class FileField(flask_wtf_file.FileField):
    """A file upload in the GOV.UK style."""

    widget = GovFileInput()


class SubmitField(fields.SubmitField):
    """A button in the GOV.UK style."""

    widget = GovSubmitInput()


class DateField(fields.DateField):
    """Day, month and year boxes; anything that is not a real date is an error, never a crash."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, required_message=None, **kwargs):
        """Read the three boxes as one date; `required_message` makes the date required."""
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.required_message = required_message

    def pre_validate(self, form):
        """Say the date is missing only when nothing was typed; otherwise keep the parse error."""
        if self.required_message and self.data is None and not self.process_errors:
            raise StopValidation(self.required_message)

    def process_formdata(self, valuelist):
        """Parse day, month and year, keeping what was typed when it is not a date."""
        if not valuelist:
            # The GOV.UK widget reads three raw values, or none at all.
            self.raw_data = None
            return
        parts = [str(part).strip()[:10] for part in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        try:
            day, month, year = (int(part) for part in parts)
            self.data = datetime.date(year, month, day)
        except (ValueError, OverflowError) as error:
            self.data = None
            raise ValueError(self.gettext("Enter a real date, like 27 3 2026")) from error
        if year < 1900:
            self.data = None
            raise ValueError("Enter a real date, like 27 3 2026")


def safe_next_url(default: str) -> str:
    """Return the `next` URL when it stays on this site, otherwise the default."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        if not target.startswith("//") and "\\" not in target:
            return target
    return default
