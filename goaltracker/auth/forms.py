"""Forms for signing in, passwords, codes and invitations."""

from flask_babel import lazy_gettext
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from goaltracker import security
from goaltracker.forms import EmailField, Form, PasswordField, StringField, SubmitField

EMAIL_LENGTH = Length(
    max=254, message=lazy_gettext("Email address must be 254 characters or fewer")
)


class SignInForm(Form):
    """Email address and password."""

    email = EmailField(
        lazy_gettext("Email address"),
        validators=[DataRequired(lazy_gettext("Enter your email address")), EMAIL_LENGTH],
    )
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[
            DataRequired(lazy_gettext("Enter your password")),
            Length(
                max=security.MAXIMUM_PASSWORD_LENGTH, message=lazy_gettext("Password is too long")
            ),
        ],
    )
    submit = SubmitField(lazy_gettext("Sign in"))


class NewPasswordMixin:
    """A new password typed twice, checked against the password rules."""

    def validate_password(self, field):
        """Apply the password rules."""
        problem = security.password_problem(field.data or "", email=self.email)
        if problem:
            raise ValidationError(problem)


def _new_password_field(label=None) -> PasswordField:
    """Return the field for a new password, with the advice people need."""
    return PasswordField(
        label if label is not None else lazy_gettext("Create a password"),
        description=lazy_gettext(
            "Use %(count)s characters or more. Three random words make a good password.",
            count=security.MINIMUM_PASSWORD_LENGTH,
        ),
        validators=[DataRequired(lazy_gettext("Enter a password"))],
    )


def _confirm_field() -> PasswordField:
    """Return the field that repeats the new password."""
    return PasswordField(
        lazy_gettext("Type the password again"),
        validators=[
            DataRequired(lazy_gettext("Type the password again")),
            EqualTo("password", message=lazy_gettext("The passwords do not match")),
        ],
    )


class SetPasswordForm(NewPasswordMixin, Form):
    """A new password, typed twice: for a new account or after forgetting the old one."""

    password = _new_password_field()
    confirm = _confirm_field()
    submit = SubmitField(lazy_gettext("Create account"))

    def __init__(self, *args, email: str = "", **kwargs):
        """Remember the email so the password can be checked against it."""
        super().__init__(*args, **kwargs)
        self.email = email


class ChangePasswordForm(NewPasswordMixin, Form):
    """The current password, then a new one typed twice."""

    current = PasswordField(
        lazy_gettext("Current password"),
        validators=[
            DataRequired(lazy_gettext("Enter your current password")),
            Length(
                max=security.MAXIMUM_PASSWORD_LENGTH, message=lazy_gettext("Password is too long")
            ),
        ],
    )
    password = _new_password_field(lazy_gettext("New password"))
    confirm = _confirm_field()
    submit = SubmitField(lazy_gettext("Change password"))

    def __init__(self, *args, email: str = "", **kwargs):
        """Remember the email so the password can be checked against it."""
        super().__init__(*args, **kwargs)
        self.email = email


class ForgottenPasswordForm(Form):
    """The email address to send a reset link to."""

    email = EmailField(
        lazy_gettext("Email address"),
        validators=[DataRequired(lazy_gettext("Enter your email address")), EMAIL_LENGTH],
    )
    submit = SubmitField(lazy_gettext("Send me a link"))


class CodeForm(Form):
    """The six-digit code from an authenticator app (or, at sign-in, a recovery code)."""

    code = StringField(
        lazy_gettext("Code from your authenticator app"),
        description=lazy_gettext("The 6 digits your app shows now"),
        validators=[
            DataRequired(lazy_gettext("Enter the code")),
            Length(max=24, message=lazy_gettext("Enter 6 digits")),
        ],
    )
    submit = SubmitField(lazy_gettext("Continue"))


class ConfirmForm(Form):
    """A single button that confirms something, such as accepting an invitation."""

    submit = SubmitField(lazy_gettext("Accept"))
