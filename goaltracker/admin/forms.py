"""Forms administrators fill in."""

from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, Length, Optional

from goaltracker.forms import DateField, SelectField, StringField, SubmitField, TextAreaField


class KeyWorkerForm(FlaskForm):
    """A new key worker for a child."""

    key_worker_id = SelectField(
        "New key worker",
        choices=[],
        validators=[DataRequired("Choose the new key worker")],
    )
    submit = SubmitField("Change key worker")


class AuditSearchForm(FlaskForm):
    """Filters for searching the audit trail (a GET form: nothing changes)."""

    class Meta:
        """A search changes nothing, so it needs no CSRF token."""

        csrf = False

    email = StringField("Email address of the person", validators=[Optional(), Length(max=254)])
    child_reference = StringField("Child's reference", validators=[Optional(), Length(max=64)])
    action = SelectField("What happened", choices=[], validators=[Optional()])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    submit = SubmitField("Search")


class EraseForm(FlaskForm):
    """Confirmation of an erasure request."""

    reference = StringField(
        "Type the child's reference to confirm",
        validators=[DataRequired("Type the child's reference")],
    )
    reason = TextAreaField(
        "The verified request",
        description="Who asked, when, and how their identity was checked.",
        validators=[DataRequired("Describe the verified request"), Length(max=500)],
    )
    submit = SubmitField("Erase the record")
