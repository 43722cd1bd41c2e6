"""Forms for managing staff accounts."""

from flask_babel import lazy_gettext
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
    (role, lazy_gettext(label))
    for role, label in vocabulary.ROLE_LABELS.items()
    if role != "family"
]


class StaffRoleFields:
    """A role, and an organisation for practitioners."""

    role = RadioField(
        lazy_gettext("Role"),
        choices=STAFF_ROLE_CHOICES,
        validators=[DataRequired(lazy_gettext("Choose a role"))],
    )
    organisation_id = SelectField(
        lazy_gettext("Organisation"),
        description=lazy_gettext("Practitioners need one: it decides whose records they see."),
        choices=[],
        validators=[Optional()],
    )


class InviteStaffForm(StaffRoleFields, Form):
    """A new member of staff: name, work email, role and organisation."""

    name = StringField(
        lazy_gettext("Full name"),
        validators=[DataRequired(lazy_gettext("Enter their name")), Length(max=200)],
    )
    email = EmailField(
        lazy_gettext("Work email address"),
        validators=[
            DataRequired(lazy_gettext("Enter their work email address")),
            Length(max=254, message=lazy_gettext("Email address must be 254 characters or fewer")),
        ],
    )
    submit = SubmitField(lazy_gettext("Send invitation"))


class ChangeRoleForm(StaffRoleFields, Form):
    """A member of staff's new role or organisation."""

    submit = SubmitField(lazy_gettext("Save role"))


class DeactivateForm(Form):
    """Why an account is being deactivated."""

    reason = TextAreaField(
        lazy_gettext("Why is the account being deactivated?"),
        description=lazy_gettext("For example: left the service on 30 November."),
        validators=[
            DataRequired(lazy_gettext("Say why the account is being deactivated")),
            Length(max=500),
        ],
    )
    submit = SubmitField(lazy_gettext("Deactivate account"))


class ButtonForm(Form):
    """A single confirmed action, such as reactivating an account."""

    submit = SubmitField(lazy_gettext("Confirm"))


class ReassignForm(Form):
    """A new key worker for every child of a caseload."""

    key_worker_id = SelectField(
        lazy_gettext("New key worker"),
        choices=[],
        validators=[DataRequired(lazy_gettext("Choose the new key worker"))],
    )
    submit = SubmitField(lazy_gettext("Move the children"))
