"""Forms for managing staff accounts."""

from wtforms.validators import DataRequired, Length, Optional

from goaltracker import vocabulary
from goaltracker.forms import (
    EmailField,
    Form,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

STAFF_ROLE_CHOICES = [
    (role, label) for role, label in vocabulary.ROLE_LABELS.items() if role != "family"
]


class StaffRoleFields:
    """A role, and an organisation for practitioners."""

    role = RadioField(
        "Role",
        choices=STAFF_ROLE_CHOICES,
        validators=[DataRequired("Choose a role")],
    )
    organisation_id = SelectField(
        "Organisation",
        description="Practitioners need one: it decides whose records they see.",
        choices=[],
        validators=[Optional()],
    )


class InviteStaffForm(StaffRoleFields, Form):
    """A new member of staff: name, work email, role and organisation."""

    name = StringField("Full name", validators=[DataRequired("Enter their name"), Length(max=200)])
    email = EmailField(
        "Work email address",
        validators=[
            DataRequired("Enter their work email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    submit = SubmitField("Send invitation")


class ChangeRoleForm(StaffRoleFields, Form):
    """A member of staff's new role or organisation."""

    submit = SubmitField("Save role")


class DeactivateForm(Form):
    """Why an account is being deactivated."""

    reason = TextAreaField(
        "Why is the account being deactivated?",
        description="For example: left the service on 30 November.",
        validators=[DataRequired("Say why the account is being deactivated"), Length(max=500)],
    )
    submit = SubmitField("Deactivate account")


class ButtonForm(Form):
    """A single confirmed action, such as reactivating an account."""

    submit = SubmitField("Confirm")


class ReassignForm(Form):
    """A new key worker for every child of a caseload."""

    key_worker_id = SelectField(
        "New key worker", choices=[], validators=[DataRequired("Choose the new key worker")]
    )
    submit = SubmitField("Move the children")
