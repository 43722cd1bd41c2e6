"""Forms administrators fill in."""

from flask_wtf.file import FileRequired
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from goaltracker import vocabulary
from goaltracker.api import tokens
from goaltracker.forms import (
    CheckboxesField,
    DateField,
    DecimalField,
    FileField,
    Form,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)


class KeyWorkerForm(Form):
    """A new key worker for a child."""

    key_worker_id = SelectField(
        "New key worker",
        choices=[],
        validators=[DataRequired("Choose the new key worker")],
    )
    submit = SubmitField("Change key worker")


class AuditSearchForm(Form):
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


class EraseForm(Form):
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


class OutcomeForm(Form):
    """A strategic outcome of the area."""

    code = StringField(
        "Code",
        description="Capital letters, numbers and _ only, like BE_HEALTHY. "
        "Import files use it; it cannot change later.",
        validators=[
            DataRequired("Enter a code"),
            Regexp(r"^[A-Z0-9_]{1,32}\Z", message="Use 1 to 32 capital letters, numbers or _"),
        ],
    )
    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=200)])
    description = TextAreaField(
        "What it means, in plain words",
        description="Families and key workers read this when they link a goal to the outcome.",
        validators=[Optional(), Length(max=1000)],
    )
    submit = SubmitField("Save outcome")


class OrganisationForm(Form):
    """An agency of the area."""

    name = StringField("Name", validators=[DataRequired("Enter a name"), Length(max=200)])
    type = RadioField(
        "Kind of organisation",
        choices=vocabulary.choices(vocabulary.ORGANISATION_TYPE_LABELS),
        validators=[DataRequired("Choose the kind of organisation")],
    )
    submit = SubmitField("Add organisation")


class SettingsForm(Form):
    """The area's settings."""

    review_interval_days = IntegerField(
        "Review interval, in days",
        description="A review is due this many days after the latest rating. "
        "Usually 84 (12 weeks).",
        validators=[InputRequired("Enter the review interval"), NumberRange(1, 3650)],
    )
    suppression_threshold = IntegerField(
        "Hide rows with fewer children than",
        description="Managers and the public page see nothing of a row with fewer children "
        "than this. Usually 5; from 5 to 50.",
        validators=[
            InputRequired("Enter the threshold"),
            NumberRange(5, 50, message="The threshold must be a whole number from 5 to 50"),
        ],
    )
    max_active_goals = IntegerField(
        "Most goals a child works on at once",
        validators=[InputRequired("Enter the most active goals"), NumberRange(1, 50)],
    )
    important_change = DecimalField(
        "Important change, in points",
        description="A change of this much or more counts as improved or got worse. Usually 2.",
        places=1,
        validators=[InputRequired("Enter the important change"), NumberRange(0.1, 9)],
    )
    retention_basis = RadioField(
        "Keep records until",
        choices=[
            ("age_25", "So many years after the young person's 25th birthday"),
            ("last_activity", "So many years after the record was last used"),
        ],
        validators=[DataRequired("Choose how long records are kept")],
    )
    retention_years = IntegerField(
        "Years",
        description="Usually 6 years after the 25th birthday, as English guidance for children's "
        "SEND records suggests.",
        validators=[
            InputRequired("Enter the number of years"),
            NumberRange(1, 50, message="Enter a whole number of years from 1 to 50"),
        ],
    )
    submit = SubmitField("Save settings")


class ImportForm(Form):
    """A CSV file of goals and ratings to check before importing."""

    file = FileField(
        "CSV file of goals and ratings",
        description="One line per rating, with a header row, saved as CSV UTF-8. "
        "Nothing is imported until you have seen what the file will do.",
        validators=[FileRequired("Choose a CSV file")],
    )
    submit = SubmitField("Check the file")


class PublicPageForm(Form):
    """Whether the area publishes its protected outcomes for families."""

    publish = RadioField(
        "Publish the outcomes page for families?",
        choices=[
            ("yes", "Yes, anyone can see it without signing in"),
            ("no", "No, only staff of the area see the figures"),
        ],
        validators=[DataRequired("Choose whether to publish the page")],
    )
    submit = SubmitField("Save")


class ApiTokenForm(Form):
    """A key for another system to read from the API."""

    name = StringField(
        "What is the key for?",
        description="For example, Power BI board pack. It is shown in the list of keys and in "
        "the audit trail.",
        validators=[
            DataRequired("Say what the key is for"),
            Length(max=tokens.NAME_LONGEST, message="The purpose must be 100 characters or fewer"),
        ],
    )
    scopes = CheckboxesField(
        "What may it read?",
        choices=[(scope, f"{scope}: {words}") for scope, words in tokens.SCOPES.items()],
        validators=[DataRequired("Choose what the key may read")],
    )
    organisation = SelectField(
        "Whose children's records (records:read only)",
        validators=[Optional()],
    )
    days = IntegerField(
        "How many days should it work?",
        description=f"From 1 to {tokens.DAYS_MOST}. Usually {tokens.DAYS_DEFAULT}.",
        default=tokens.DAYS_DEFAULT,
        validators=[
            InputRequired("Enter how many days the key should work"),
            NumberRange(
                1, tokens.DAYS_MOST, message=f"A key lasts from 1 to {tokens.DAYS_MOST} days"
            ),
        ],
    )
    submit = SubmitField("Issue the key")


class RevokeTokenForm(Form):
    """Stop a key working."""

    submit = SubmitField("Revoke the key")
