"""Forms administrators fill in."""

from flask_babel import lazy_gettext
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
        lazy_gettext("New key worker"),
        choices=[],
        validators=[DataRequired(lazy_gettext("Choose the new key worker"))],
    )
    submit = SubmitField(lazy_gettext("Change key worker"))


class AuditSearchForm(Form):
    """Filters for searching the audit trail (a GET form: nothing changes)."""

    class Meta:
        """A search changes nothing, so it needs no CSRF token."""

        csrf = False

    email = StringField(
        lazy_gettext("Email address of the person"), validators=[Optional(), Length(max=254)]
    )
    child_reference = StringField(
        lazy_gettext("Child's reference"), validators=[Optional(), Length(max=64)]
    )
    action = SelectField(lazy_gettext("What happened"), choices=[], validators=[Optional()])
    since = DateField(lazy_gettext("From"), validators=[Optional()])
    until = DateField(lazy_gettext("To"), validators=[Optional()])
    submit = SubmitField(lazy_gettext("Search"))


class EraseForm(Form):
    """Confirmation of an erasure request."""

    reference = StringField(
        lazy_gettext("Type the child's reference to confirm"),
        validators=[DataRequired(lazy_gettext("Type the child's reference"))],
    )
    reason = TextAreaField(
        lazy_gettext("The verified request"),
        description=lazy_gettext("Who asked, when, and how their identity was checked."),
        validators=[DataRequired(lazy_gettext("Describe the verified request")), Length(max=500)],
    )
    submit = SubmitField(lazy_gettext("Erase the record"))


class OutcomeForm(Form):
    """A strategic outcome of the area."""

    code = StringField(
        lazy_gettext("Code"),
        description=lazy_gettext(
            "Capital letters, numbers and _ only, like BE_HEALTHY. "
            "Import files use it; it cannot change later."
        ),
        validators=[
            DataRequired(lazy_gettext("Enter a code")),
            Regexp(
                r"^[A-Z0-9_]{1,32}\Z",
                message=lazy_gettext("Use 1 to 32 capital letters, numbers or _"),
            ),
        ],
    )
    title = StringField(
        lazy_gettext("Title"),
        validators=[DataRequired(lazy_gettext("Enter a title")), Length(max=200)],
    )
    description = TextAreaField(
        lazy_gettext("What it means, in plain words"),
        description=lazy_gettext(
            "Families and key workers read this when they link a goal to the outcome."
        ),
        validators=[Optional(), Length(max=1000)],
    )
    submit = SubmitField(lazy_gettext("Save outcome"))


class OrganisationForm(Form):
    """An agency of the area."""

    name = StringField(
        lazy_gettext("Name"),
        validators=[DataRequired(lazy_gettext("Enter a name")), Length(max=200)],
    )
    type = RadioField(
        lazy_gettext("Kind of organisation"),
        choices=[
            (code, lazy_gettext(words))
            for code, words in vocabulary.ORGANISATION_TYPE_LABELS.items()
        ],
        validators=[DataRequired(lazy_gettext("Choose the kind of organisation"))],
    )
    submit = SubmitField(lazy_gettext("Add organisation"))


class SettingsForm(Form):
    """The area's settings."""

    review_interval_days = IntegerField(
        lazy_gettext("Review interval, in days"),
        description=lazy_gettext(
            "A review is due this many days after the latest rating. Usually 84 (12 weeks)."
        ),
        validators=[InputRequired(lazy_gettext("Enter the review interval")), NumberRange(1, 3650)],
    )
    suppression_threshold = IntegerField(
        lazy_gettext("Hide rows with fewer children than"),
        description=lazy_gettext(
            "Managers and the public page see nothing of a row with fewer children "
            "than this. Usually 5; from 5 to 50."
        ),
        validators=[
            InputRequired(lazy_gettext("Enter the threshold")),
            NumberRange(
                5, 50, message=lazy_gettext("The threshold must be a whole number from 5 to 50")
            ),
        ],
    )
    max_active_goals = IntegerField(
        lazy_gettext("Most goals a child works on at once"),
        validators=[InputRequired(lazy_gettext("Enter the most active goals")), NumberRange(1, 50)],
    )
    important_change = DecimalField(
        lazy_gettext("Important change, in points"),
        description=lazy_gettext(
            "A change of this much or more counts as improved or got worse. Usually 2."
        ),
        places=1,
        validators=[InputRequired(lazy_gettext("Enter the important change")), NumberRange(0.1, 9)],
    )
    retention_basis = RadioField(
        lazy_gettext("Keep records until"),
        choices=[
            ("age_25", lazy_gettext("So many years after the young person's 25th birthday")),
            ("last_activity", lazy_gettext("So many years after the record was last used")),
        ],
        validators=[DataRequired(lazy_gettext("Choose how long records are kept"))],
    )
    retention_years = IntegerField(
        lazy_gettext("Years"),
        description=lazy_gettext(
            "Usually 6 years after the 25th birthday, as English guidance for children's "
            "SEND records suggests."
        ),
        validators=[
            InputRequired(lazy_gettext("Enter the number of years")),
            NumberRange(1, 50, message=lazy_gettext("Enter a whole number of years from 1 to 50")),
        ],
    )
    submit = SubmitField(lazy_gettext("Save settings"))


class ImportForm(Form):
    """A CSV file of goals and ratings to check before importing."""

    file = FileField(
        lazy_gettext("CSV file of goals and ratings"),
        description=lazy_gettext(
            "One line per rating, with a header row, saved as CSV UTF-8. "
            "Nothing is imported until you have seen what the file will do."
        ),
        validators=[FileRequired(lazy_gettext("Choose a CSV file"))],
    )
    submit = SubmitField(lazy_gettext("Check the file"))


class PublicPageForm(Form):
    """Whether the area publishes its protected outcomes for families."""

    publish = RadioField(
        lazy_gettext("Publish the outcomes page for families?"),
        choices=[
            ("yes", lazy_gettext("Yes, anyone can see it without signing in")),
            ("no", lazy_gettext("No, only staff of the area see the figures")),
        ],
        validators=[DataRequired(lazy_gettext("Choose whether to publish the page"))],
    )
    submit = SubmitField(lazy_gettext("Save"))


# What each scope lets a key read, in the page's language (the API describes them in English).
SCOPE_WORDS = {
    tokens.REPORTS_READ: lazy_gettext(
        "the area's outcomes report and trends, protected as on the dashboard"
    ),
    tokens.RECORDS_READ: lazy_gettext(
        "the goals and ratings of one organisation's children, as FHIR"
    ),
}


class ApiTokenForm(Form):
    """A key for another system to read from the API."""

    name = StringField(
        lazy_gettext("What is the key for?"),
        description=lazy_gettext(
            "For example, Power BI board pack. It is shown in the list of keys and in "
            "the audit trail."
        ),
        validators=[
            DataRequired(lazy_gettext("Say what the key is for")),
            Length(
                max=tokens.NAME_LONGEST,
                message=lazy_gettext("The purpose must be 100 characters or fewer"),
            ),
        ],
    )
    scopes = CheckboxesField(
        lazy_gettext("What may it read?"),
        choices=[
            (
                scope,
                lazy_gettext(
                    "%(scope)s: %(words)s",
                    scope=scope,
                    words=SCOPE_WORDS.get(scope, words),
                ),
            )
            for scope, words in tokens.SCOPES.items()
        ],
        validators=[DataRequired(lazy_gettext("Choose what the key may read"))],
    )
    organisation = SelectField(
        lazy_gettext("Whose children's records (records:read only)"),
        validators=[Optional()],
    )
    days = IntegerField(
        lazy_gettext("How many days should it work?"),
        description=lazy_gettext(
            "From 1 to %(most)s. Usually %(usual)s.",
            most=tokens.DAYS_MOST,
            usual=tokens.DAYS_DEFAULT,
        ),
        default=tokens.DAYS_DEFAULT,
        validators=[
            InputRequired(lazy_gettext("Enter how many days the key should work")),
            NumberRange(
                1,
                tokens.DAYS_MOST,
                message=lazy_gettext("A key lasts from 1 to %(most)s days", most=tokens.DAYS_MOST),
            ),
        ],
    )
    submit = SubmitField(lazy_gettext("Issue the key"))


class RevokeTokenForm(Form):
    """Stop a key working."""

    submit = SubmitField(lazy_gettext("Revoke the key"))
