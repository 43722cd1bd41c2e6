"""Forms for signing in and accepting an invitation."""

from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from goaltracker import security
from goaltracker.forms import EmailField, PasswordField, StringField, SubmitField


class SignInForm(FlaskForm):
    """Email address and password."""

    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=security.MAXIMUM_PASSWORD_LENGTH, message="Password is too long"),
        ],
    )
    submit = SubmitField("Sign in")


class SetPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        "Create a password",
        description=f"Use {security.MINIMUM_PASSWORD_LENGTH} characters or more. "
        "Three random words make a good password.",
        validators=[DataRequired("Enter a password")],
    )
    confirm = PasswordField(
        "Type the password again",
        validators=[
            DataRequired("Type the password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )
    submit = SubmitField("Create account")

    def __init__(self, *args, email: str = "", **kwargs):
        """Remember the email so the password can be checked against it."""
        super().__init__(*args, **kwargs)
        self.email = email

    def validate_password(self, field):
        """Apply the password rules."""
        problem = security.password_problem(field.data or "", email=self.email)
        if problem:
            raise ValidationError(problem)


class CodeForm(FlaskForm):
    """The six-digit code from an authenticator app."""

    code = StringField(
        "Code from your authenticator app",
        description="The 6 digits your app shows now",
        validators=[DataRequired("Enter the code"), Length(max=12, message="Enter 6 digits")],
    )
    submit = SubmitField("Continue")
