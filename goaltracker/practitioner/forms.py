"""Forms practitioners fill in: adding a child and inviting their family."""

from datetime import date

from flask_babel import lazy_gettext
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
        lazy_gettext("Primary need"),
        choices=[("", lazy_gettext("Choose the primary need"))]
        + [
            (code, lazy_gettext(words))
            for code, words in vocabulary.choices(vocabulary.PRIMARY_NEED_LABELS)
        ],
        validators=[DataRequired(lazy_gettext("Choose the child's primary need"))],
    )


def ehcp_field() -> RadioField:
    """Return the field of whether a child has an EHC plan."""
    return RadioField(
        lazy_gettext("Does the child have an education, health and care (EHC) plan?"),
        choices=[("yes", lazy_gettext("Yes")), ("no", lazy_gettext("No"))],
        validators=[DataRequired(lazy_gettext("Say whether the child has an EHC plan"))],
    )


class AddChildForm(Form):
    """A child or young person joining the key worker's caseload."""

    first_name = StringField(
        lazy_gettext("First name"),
        validators=[
            DataRequired(lazy_gettext("Enter the child's first name")),
            Length(max=100),
        ],
    )
    last_name = StringField(
        lazy_gettext("Last name"),
        validators=[Optional(), Length(max=100)],
    )
    reference = StringField(
        lazy_gettext("Reference (optional)"),
        description=lazy_gettext(
            "Your service's reference for the child, if it has one. "
            "Leave it empty and one is made for you."
        ),
        validators=[
            Optional(),
            Length(max=64, message=lazy_gettext("Reference must be 64 characters or fewer")),
        ],
    )
    date_of_birth = DateField(
        lazy_gettext("Date of birth"),
        description=lazy_gettext("For example, 27 3 2016"),
        required_message=lazy_gettext("Enter the child's date of birth"),
    )
    primary_need = primary_need_field()
    ehcp = ehcp_field()
    submit = SubmitField(lazy_gettext("Add child"))

    def validate_date_of_birth(self, field):
        """A child is aged 0 to 25 and not born in the future."""
        if field.data is None:
            return
        today = date.today()
        if field.data > today:
            raise ValidationError(lazy_gettext("Date of birth must be today or in the past"))
        if scoring.age_on(field.data, today) > 25:
            raise ValidationError(
                lazy_gettext("The service is for children and young people aged 0 to 25")
            )


class InviteFamilyForm(Form):
    """An invitation for a parent, carer or the young person to join."""

    name = StringField(
        lazy_gettext("Their name"),
        validators=[
            DataRequired(lazy_gettext("Enter their name")),
            Length(max=200),
        ],
    )
    email = EmailField(
        lazy_gettext("Their email address"),
        validators=[
            DataRequired(lazy_gettext("Enter their email address")),
            Email(
                lazy_gettext("Enter an email address in the correct format, like name@example.com")
            ),
            Length(max=254),
        ],
    )
    relationship_to_child = RadioField(
        lazy_gettext("Who are they?"),
        choices=[
            ("parent_carer", lazy_gettext("A parent or carer")),
            ("young_person", lazy_gettext("The young person")),
        ],
        validators=[DataRequired(lazy_gettext("Say who they are"))],
    )
    submit = SubmitField(lazy_gettext("Send invitation"))


class RemindersForm(Form):
    """Whether to get an email when reviews fall due."""

    email_reminders = RadioField(
        lazy_gettext("Email me when reviews are due"),
        description=lazy_gettext("The email names no child: it asks you to sign in."),
        choices=[("yes", lazy_gettext("Yes")), ("no", lazy_gettext("No"))],
        validators=[DataRequired(lazy_gettext("Choose yes or no"))],
    )
    submit = SubmitField(lazy_gettext("Save"))


class AskConsentForm(Form):
    """Which organisation to ask the family about."""

    organisation_id = SelectField(
        lazy_gettext("Ask the family to let this organisation see the record"),
        choices=[],
        validators=[DataRequired(lazy_gettext("Choose an organisation"))],
    )
    submit = SubmitField(lazy_gettext("Ask the family"))

    def offer(self, sharing) -> None:
        """Offer the organisations that cannot see the record yet, after an empty choice."""
        self.organisation_id.choices = choice_list(
            [("", lazy_gettext("Choose an organisation"))]
            + [
                (line.organisation.id, line.organisation.name)
                for line in sharing
                if not line.can_see
            ]
        )
