"""Forms practitioners fill in: adding a child and inviting their family."""

from datetime import date

from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from goaltracker import scoring, vocabulary
from goaltracker.forms import (
    DateField,
    EmailField,
    Form,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    choice_list,
)


def primary_need_field() -> SelectField:
    """Return the field of a child's primary need: an SEN2 code, chosen from a list."""
    return SelectField(
        "Primary need",
        choices=[("", "Choose the primary need")]
        + vocabulary.choices(vocabulary.PRIMARY_NEED_LABELS),
        validators=[DataRequired("Choose the child's primary need")],
    )


def ehcp_field() -> RadioField:
    """Return the field of whether a child has an EHC plan."""
    return RadioField(
        "Does the child have an education, health and care (EHC) plan?",
        choices=[("yes", "Yes"), ("no", "No")],
        validators=[DataRequired("Say whether the child has an EHC plan")],
    )


class AddChildForm(Form):
    """A child or young person joining the key worker's caseload."""

    first_name = StringField(
        "First name",
        validators=[DataRequired("Enter the child's first name"), Length(max=100)],
    )
    last_name = StringField("Last name", validators=[Optional(), Length(max=100)])
    reference = StringField(
        "Reference (optional)",
        description="Your service's reference for the child, if it has one. "
        "Leave it empty and one is made for you.",
        validators=[Optional(), Length(max=64, message="Reference must be 64 characters or fewer")],
    )
    date_of_birth = DateField(
        "Date of birth",
        description="For example, 27 3 2016",
        required_message="Enter the child's date of birth",
    )
    primary_need = primary_need_field()
    ehcp = ehcp_field()
    submit = SubmitField("Add child")

    def validate_date_of_birth(self, field):
        """A child is aged 0 to 25 and not born in the future."""
        if field.data is None:
            return
        today = date.today()
        if field.data > today:
            raise ValidationError("Date of birth must be today or in the past")
        if scoring.age_on(field.data, today) > 25:
            raise ValidationError("The service is for children and young people aged 0 to 25")


class InviteFamilyForm(Form):
    """An invitation for a parent, carer or the young person to join."""

    name = StringField("Their name", validators=[DataRequired("Enter their name"), Length(max=200)])
    email = EmailField(
        "Their email address",
        validators=[
            DataRequired("Enter their email address"),
            Email("Enter an email address in the correct format, like name@example.com"),
            Length(max=254),
        ],
    )
    relationship_to_child = RadioField(
        "Who are they?",
        choices=[("parent_carer", "A parent or carer"), ("young_person", "The young person")],
        validators=[DataRequired("Say who they are")],
    )
    submit = SubmitField("Send invitation")


class RemindersForm(Form):
    """Whether to get an email when reviews fall due."""

    email_reminders = RadioField(
        "Email me when reviews are due",
        description="The email names no child: it asks you to sign in.",
        choices=[("yes", "Yes"), ("no", "No")],
        validators=[DataRequired("Choose yes or no")],
    )
    submit = SubmitField("Save")


class AskConsentForm(Form):
    """Which organisation to ask the family about."""

    organisation_id = SelectField(
        "Ask the family to let this organisation see the record",
        choices=[],
        validators=[DataRequired("Choose an organisation")],
    )
    submit = SubmitField("Ask the family")

    def offer(self, sharing) -> None:
        """Offer the organisations that cannot see the record yet, after an empty choice."""
        self.organisation_id.choices = choice_list(
            [("", "Choose an organisation")]
            + [
                (line.organisation.id, line.organisation.name)
                for line in sharing
                if not line.can_see
            ]
        )
