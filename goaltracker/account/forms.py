"""Forms of the account page."""

from flask_babel import lazy_gettext
from wtforms.validators import DataRequired, Length

from goaltracker import security
from goaltracker.auth.forms import ChangePasswordForm, CodeForm  # noqa: F401  (used by views)
from goaltracker.forms import Form, PasswordField, StringField, SubmitField


class TwoFactorForm(Form):
    """The current password and a code from the newly added app."""

    current = PasswordField(
        lazy_gettext("Current password"),
        validators=[
            DataRequired(lazy_gettext("Enter your current password")),
            Length(
                max=security.MAXIMUM_PASSWORD_LENGTH, message=lazy_gettext("Password is too long")
            ),
        ],
    )
    code = StringField(
        lazy_gettext("Code from your authenticator app"),
        description=lazy_gettext("The 6 digits your app shows now"),
        validators=[
            DataRequired(lazy_gettext("Enter the code")),
            Length(max=12, message=lazy_gettext("Enter 6 digits")),
        ],
    )
    submit = SubmitField(lazy_gettext("Use this app"))


class PasswordCheckForm(Form):
    """The current password, to confirm a sensitive change."""

    current = PasswordField(
        lazy_gettext("Current password"),
        validators=[
            DataRequired(lazy_gettext("Enter your current password")),
            Length(
                max=security.MAXIMUM_PASSWORD_LENGTH, message=lazy_gettext("Password is too long")
            ),
        ],
    )
    submit = SubmitField(lazy_gettext("Make new recovery codes"))


class EndSessionsForm(Form):
    """A button that ends sessions."""

    submit = SubmitField(lazy_gettext("Sign out everywhere else"))
