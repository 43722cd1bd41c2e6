"""Forms of the account page."""

from wtforms.validators import DataRequired, Length

from goaltracker import security
from goaltracker.auth.forms import ChangePasswordForm, CodeForm  # noqa: F401  (used by views)
from goaltracker.forms import Form, PasswordField, StringField, SubmitField


class TwoFactorForm(Form):
    """The current password and a code from the newly added app."""

    current = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password"),
            Length(max=security.MAXIMUM_PASSWORD_LENGTH, message="Password is too long"),
        ],
    )
    code = StringField(
        "Code from your authenticator app",
        description="The 6 digits your app shows now",
        validators=[DataRequired("Enter the code"), Length(max=12, message="Enter 6 digits")],
    )
    submit = SubmitField("Use this app")


class PasswordCheckForm(Form):
    """The current password, to confirm a sensitive change."""

    current = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password"),
            Length(max=security.MAXIMUM_PASSWORD_LENGTH, message="Password is too long"),
        ],
    )
    submit = SubmitField("Make new recovery codes")


class EndSessionsForm(Form):
    """A button that ends sessions."""

    submit = SubmitField("Sign out everywhere else")
