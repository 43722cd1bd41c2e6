"""The dashboard's choices: report date, filters and breakdown (a GET form)."""

from datetime import date

from flask_babel import gettext, lazy_gettext
from wtforms.validators import Optional, ValidationError

from goaltracker import dashboard, vocabulary
from goaltracker.forms import DateField, Form, SelectField, SubmitField, choice_list
from goaltracker.reports import compute, outcome_reports


def last_quarter_end(today: date) -> date:
    """Return the end of the last complete financial quarter before today."""
    ends = outcome_reports.quarter_ends(date(today.year - 1, 1, 1), today)
    return max(end for end in ends if end < today)


class DashboardForm(Form):
    """What the outcomes report shows; nothing changes, so no CSRF token is needed."""

    class Meta:
        """A report view changes nothing."""

        csrf = False

    as_at = DateField(
        lazy_gettext("Report date"),
        description=lazy_gettext("For example, 31 3 2026"),
        validators=[Optional()],
    )
    by = SelectField(lazy_gettext("Break down by"), validators=[Optional()])
    organisation = SelectField(lazy_gettext("Organisation"), validators=[Optional()])
    age_band = SelectField(lazy_gettext("Age band"), validators=[Optional()])
    primary_need = SelectField(lazy_gettext("Primary need"), validators=[Optional()])
    ehcp = SelectField(lazy_gettext("EHC plan"), validators=[Optional()])
    rater = SelectField(lazy_gettext("Whose view"), validators=[Optional()])
    submit = SubmitField(lazy_gettext("Show the report"))

    def __init__(self, *args, organisations=(), **kwargs):
        """Offer the area's organisations and the domain's choices."""
        super().__init__(*args, **kwargs)
        anything = [("", gettext("Any"))]

        def translated(mapping):
            return [(code, gettext(words)) for code, words in mapping.items()]

        self.by.choices = choice_list(
            [("", gettext("No breakdown")), *translated(dashboard.BREAKDOWN_WORDS)]
        )
        self.organisation.choices = choice_list(
            anything + [(organisation.id, organisation.name) for organisation in organisations]
        )
        self.age_band.choices = choice_list(anything + translated(vocabulary.AGE_BAND_LABELS))
        self.primary_need.choices = choice_list(
            anything + translated(vocabulary.PRIMARY_NEED_LABELS)
        )
        self.ehcp.choices = choice_list(
            anything + [("yes", gettext("EHC plan")), ("no", gettext("No EHC plan"))]
        )
        self.rater.choices = choice_list(anything + translated(vocabulary.RATER_LABELS))

    def validate_as_at(self, field):
        """Reports look back, not forward."""
        if field.data is not None and field.data > date.today():
            raise ValidationError(gettext("The report date must be today or in the past"))

    def report_date(self) -> date:
        """Return the chosen date, or the end of the last quarter."""
        return self.as_at.data or last_quarter_end(date.today())

    def filters(self) -> compute.ReportFilters:
        """Return the chosen filters."""
        organisation = self.organisation.chosen()
        return compute.ReportFilters(
            organisation=int(organisation) if organisation else None,
            age_band=self.age_band.chosen(),
            primary_need=self.primary_need.chosen(),
            ehcp={"yes": True, "no": False}.get(self.ehcp.chosen() or ""),
            rater=self.rater.chosen(),
        )

    def breakdown(self) -> str | None:
        """Return the chosen breakdown."""
        return self.by.chosen()
