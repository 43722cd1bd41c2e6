"""Form pieces shared by every part of the service: GOV.UK-styled fields and safe redirects."""

import datetime
import decimal
import re
from urllib.parse import urlsplit

from flask import g, request
from flask_babel import gettext
from flask_wtf import FlaskForm
from flask_wtf import file as flask_wtf_file
from flask_wtf.form import _Auto
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
from werkzeug.routing import IntegerConverter
from wtforms import fields
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from goaltracker import text
from goaltracker.vocabulary import N_


class Form(FlaskForm):
    """Every form of the service: a FlaskForm that can be filled with what was typed before.

    When someone's session ended while they were filling in a form, what they sent is kept for
    them (see `saved_forms`) and, once they have signed in again, the same page's form is shown
    filled with it rather than empty.
    """

    class Meta(FlaskForm.Meta):
        """Read a restored submission when there is one for this page."""

        def wrap_formdata(self, form, formdata):
            """Use the restored submission on the page it was saved from, once."""
            restored = g.get("restored_form")
            if restored is not None and formdata is _Auto and request.method == "GET":
                return restored
            return super().wrap_formdata(form, formdata)


def choice_list(pairs) -> list[SelectChoice]:
    """Return (value, label) pairs as the choices WTForms expects."""
    return [
        pair if isinstance(pair, SelectChoice) else SelectChoice(str(pair[0]), pair[1])
        for pair in pairs
    ]


class ChoicesMixin:
    """Accept choices as (value, label) pairs, and read what was sent stripped of spaces.

    Stripping first means a value of only spaces is "nothing chosen", and a code with spaces
    around it is that code: both are then checked against the choices like any other value, so
    nothing that is not one of the choices ever reaches the code that uses it.
    """

    def __init__(self, *args, choices=None, **kwargs):
        """Convert the choices once, when the field is made."""
        if choices is not None and not callable(choices):
            choices = choice_list(choices)
        super().__init__(*args, choices=choices, **kwargs)

    def process_formdata(self, valuelist):
        """Strip each value sent before it is read and checked."""
        super().process_formdata([str(value).strip() for value in valuelist])

    def chosen(self) -> str | None:
        """Return the value when it is one of the choices (and not empty), otherwise None."""
        allowed = {str(choice.value) for choice in self.choices or []}
        value = self.data if isinstance(self.data, str) else None
        return value if value and value in allowed else None


class PlainTextMixin:
    """Refuse control characters in typed text, with a message on the field (see `text`)."""

    def pre_validate(self, form):
        """Stop at the first check when the text has a control character no person types."""
        super().pre_validate(form)
        found = text.problem(self.data) if isinstance(self.data, str) else None
        if found:
            raise StopValidation(found)


class StringField(PlainTextMixin, fields.StringField):
    """A text input in the GOV.UK style."""

    widget = GovTextInput()


class EmailField(PlainTextMixin, fields.EmailField):
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


class TextAreaField(PlainTextMixin, fields.TextAreaField):
    """A textarea in the GOV.UK style."""

    widget = GovTextArea()


class CharacterCountField(PlainTextMixin, fields.TextAreaField):
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

    def process_formdata(self, valuelist):
        """Read the boxes ticked: a blank value ticks nothing (an Optional field would otherwise
        let it through, as Optional clears the check of the choices when the first is blank)."""
        super().process_formdata([value for value in valuelist if str(value).strip()])

    def pre_validate(self, form):
        """Refuse values that are not among the choices, with a plain message."""
        allowed = {str(choice.value) for choice in self.choices or []}
        for value in self.data or []:
            if str(value) not in allowed:
                raise ValidationError(gettext("Choose from the options shown"))


WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]{1,9}$")
DECIMAL_NUMBER = re.compile(r"^[+-]?[0-9]{1,6}(\.[0-9]{1,6})?$")


class _PlainNumber:
    """A number input in the GOV.UK style, read from plain text that matches `pattern` (so never
    an overflow, NaN or infinity); anything else is an error on the form saying `message`."""

    widget = GovTextInput()
    pattern: re.Pattern
    message: str

    def process_formdata(self, valuelist):
        """Read the number; keep what was typed (up to 100 characters) to show it back."""
        if not valuelist:
            return
        self.raw_data = [str(valuelist[0])[:100]]
        text = str(valuelist[0]).strip()
        if not text:
            self.data = None
            return
        if not self.pattern.match(text):
            self.data = None
            raise ValueError(gettext(self.message))
        self.data = self.convert(text)


class IntegerField(_PlainNumber, fields.IntegerField):
    """A whole number of up to nine plain digits."""

    pattern = WHOLE_NUMBER
    message = N_("Enter a whole number, like 5")
    convert = staticmethod(int)


class DecimalField(_PlainNumber, fields.DecimalField):
    """A number of plain digits and a point."""

    pattern = DECIMAL_NUMBER
    message = N_("Enter a number, like 2 or 1.5")
    convert = staticmethod(decimal.Decimal)


class FileField(flask_wtf_file.FileField):
    """A file upload in the GOV.UK style."""

    widget = GovFileInput()


class SubmitField(fields.SubmitField):
    """A button in the GOV.UK style, whose id carries its words: pages with several forms then
    never repeat an id ("submit-save-goal", "submit-allow")."""

    widget = GovSubmitInput()

    def __init__(self, label=None, validators=None, **kwargs):
        """Give the button an id made of its name and its words."""
        super().__init__(label, validators, **kwargs)
        words = re.sub(r"[^a-z0-9]+", "-", str(self.label.text).lower()).strip("-")
        self.id = f"{self.id}-{words}" if words else self.id
        self.label.field_id = self.id


class DateInput(GovDateInput):
    """GOV.UK Frontend's day, month and year boxes, their labels in the page's language."""

    def map_gov_params(self, field, **kwargs):
        """Label the three boxes when the page is drawn (the widget has them in English)."""
        params = super().map_gov_params(field, **kwargs)
        words = {"Day": gettext("Day"), "Month": gettext("Month"), "Year": gettext("Year")}
        for item in params.get("items") or []:
            if isinstance(item, dict) and item.get("label") in words:
                item["label"] = words[item["label"]]
        return params


class DateField(fields.DateField):
    """Day, month and year boxes; anything that is not a real date is an error, never a crash."""

    widget = DateInput()

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
            raise ValueError(gettext("Enter a real date, like 27 3 2026")) from error
        if year < 1900:
            self.data = None
            raise ValueError(gettext("Enter a real date, like 27 3 2026"))


# Ids are 32-bit integers in PostgreSQL (and pages are counted in the tens of thousands at most):
# a larger number in a URL or query string is not found rather than an overflow in the database.
LARGEST_ID = 2**31 - 1
LARGEST_PAGE = 10_000


class IdConverter(IntegerConverter):
    """A URL's whole number, from 1 to the largest id a table can hold; anything else is 404."""

    def __init__(self, map, *args, **kwargs):
        """Bound the number, whatever the rule says."""
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def whole_number_argument(name: str, default: int | None = None, *, largest: int = LARGEST_ID):
    """Return a query-string whole number from 1 to `largest`, or the default when it is not one.

    One way to read every id and page number of a query string: junk, signs, spaces, full-width
    digits and numbers too big for the database all give the default, never an error.
    """
    text = request.args.get(name, "")
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(largest)):
        return default
    number = int(text)
    return number if 1 <= number <= largest else default


def page_number() -> int:
    """Return the page asked for in the query string: 1 unless it is a whole number in range."""
    return whole_number_argument("page", 1, largest=LARGEST_PAGE)


def text_argument(name: str, longest: int = 100) -> str:
    """Return a query-string text (a search, say) with its spaces tidied, cut to a length."""
    return " ".join(request.args.get(name, "", type=str).split())[:longest]


def safe_next_url(default: str) -> str:
    """Return the `next` URL when it stays on this site, otherwise the default."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        if not target.startswith("//") and "\\" not in target:
            return target
    return default
