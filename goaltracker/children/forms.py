"""Forms for setting goals, rating them, closing them and adding notes."""

from datetime import date

from flask_babel import gettext, lazy_gettext
from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from goaltracker import vocabulary
from goaltracker.forms import (
    CharacterCountField,
    CheckboxesField,
    DateField,
    Form,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
    choice_list,
)
from goaltracker.practitioner.forms import ehcp_field, primary_need_field

SCALE_CHOICES = [(str(value), str(value)) for value in vocabulary.SCALE_VALUES]


def not_in_future(form, field):
    """Dates people pick are today or earlier."""
    if field.data is not None and field.data > date.today():
        raise ValidationError(gettext("The date must be today or in the past"))


def goal_text_field(label: str, description: str) -> CharacterCountField:
    """Return the field of a goal's words: needed, and not too long."""
    return CharacterCountField(
        label,
        description=description,
        validators=[
            DataRequired(lazy_gettext("Enter the goal")),
            Length(
                max=vocabulary.GOAL_TEXT_LONGEST,
                message=lazy_gettext(
                    "The goal must be %(most)s characters or fewer",
                    most=vocabulary.GOAL_TEXT_LONGEST,
                ),
            ),
        ],
    )


def importance_field() -> RadioField:
    """Return the field of how important a goal is to the family, 1 to 10."""
    return RadioField(
        lazy_gettext("How important is this goal to the family?"),
        description=lazy_gettext("1 means not important at all, 10 means really important."),
        choices=SCALE_CHOICES,
        validators=[DataRequired(lazy_gettext("Choose how important the goal is, from 1 to 10"))],
    )


class GoalForm(Form):
    """A goal in the family's own words, how important it is, and the outcomes it serves."""

    text = goal_text_field(
        lazy_gettext("What is the goal?"),
        lazy_gettext("Write it in the child's or family's own words."),
    )
    occupation_area = RadioField(
        lazy_gettext("What kind of activity is it?"),
        choices=[
            (code, lazy_gettext(words)) for code, words in vocabulary.OCCUPATION_AREA_LABELS.items()
        ],
        validators=[DataRequired(lazy_gettext("Choose what kind of activity the goal is about"))],
    )
    importance = importance_field()
    outcomes = CheckboxesField(
        lazy_gettext("Which of the area's outcomes does it help with?"),
        description=lazy_gettext("Choose all that fit, or none."),
        choices=[],
        validators=[Optional()],
    )
    set_on = DateField(
        lazy_gettext("When was the goal agreed?"),
        description=lazy_gettext("For example, 27 3 2026"),
        required_message=lazy_gettext("Enter the date the goal was agreed"),
        validators=[not_in_future],
    )
    version = HiddenField()
    submit = SubmitField(lazy_gettext("Save goal"))

    def set_outcome_choices(self, outcomes) -> None:
        """Offer the area's current outcomes, with their plain descriptions as hints."""
        self.outcomes.choices = choice_list((outcome.id, outcome.title) for outcome in outcomes)
        self.outcome_hints = {str(outcome.id): outcome.description for outcome in outcomes}


class EditGoalForm(GoalForm):
    """Changing a goal's words, importance and outcomes; its kind and start date stay."""

    occupation_area = None
    set_on = None
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(lazy_gettext("Save changes"))


class StatusForm(Form):
    """Marking a goal achieved or stopped, or working on it again."""

    status = RadioField(
        lazy_gettext("What has happened with this goal?"),
        choices=[
            ("achieved", lazy_gettext("Achieved: the child can do it now")),
            (
                "stopped",
                lazy_gettext("Stopped: it no longer matters, or another goal replaces it"),
            ),
            ("active", lazy_gettext("Still working on it")),
        ],
        validators=[DataRequired(lazy_gettext("Choose what has happened with the goal"))],
    )
    closed_on = DateField(
        lazy_gettext("When did this happen?"),
        description=lazy_gettext("Needed for achieved or stopped. For example, 27 3 2026"),
        validators=[Optional(), not_in_future],
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(lazy_gettext("Save"))


class NoteForm(Form):
    """A note on the record, such as good news between meetings."""

    body = CharacterCountField(
        lazy_gettext("Add a note"),
        description=lazy_gettext("For example, something that went well this week."),
        validators=[
            DataRequired(lazy_gettext("Enter the note")),
            Length(max=2000, message=lazy_gettext("The note must be 2000 characters or fewer")),
        ],
    )
    submit = SubmitField(lazy_gettext("Add note"))


class ReviewForm(Form):
    """One rater's ratings of the child's active goals on one day; goal fields are added."""

    rater = RadioField(
        lazy_gettext("Whose view is this?"),
        choices=[(code, lazy_gettext(words)) for code, words in vocabulary.RATER_LABELS.items()],
        validators=[DataRequired(lazy_gettext("Say whose view these ratings are"))],
    )
    assessed_on = DateField(
        lazy_gettext("Date of the ratings"),
        description=lazy_gettext("For example, 27 3 2026"),
        required_message=lazy_gettext("Enter the date of the ratings"),
        validators=[not_in_future],
    )
    note = CharacterCountField(
        lazy_gettext("Anything to add? (optional)"),
        validators=[
            Length(max=2000, message=lazy_gettext("The note must be 2000 characters or fewer"))
        ],
    )
    replace_same_day = HiddenField()
    submit = SubmitField(lazy_gettext("Save ratings"))

    goal_fields: list

    def validate(self, extra_validators=None) -> bool:
        """Check each goal has both scores or neither, and that at least one goal is rated."""
        valid = super().validate(extra_validators)
        rated = 0
        for goal, performance, satisfaction in self.goal_fields:
            if performance.data and satisfaction.data:
                rated += 1
            elif performance.data and not satisfaction.data:
                satisfaction.errors.append(
                    gettext("Choose how happy you are with “%(goal)s”", goal=goal.text[:60])
                )
                valid = False
            elif satisfaction.data and not performance.data:
                performance.errors.append(
                    gettext("Choose how well it is going for “%(goal)s”", goal=goal.text[:60])
                )
                valid = False
        if rated == 0 and valid and self.goal_fields:
            first = self.goal_fields[0][1]
            first.errors.append(gettext("Rate at least one goal"))
            valid = False
        return valid

    def scores(self) -> dict[int, tuple[int, int]]:
        """Return the scores chosen, by goal."""
        return {
            goal.id: (int(performance.data), int(satisfaction.data))
            for goal, performance, satisfaction in self.goal_fields
            if performance.data and satisfaction.data
        }


def review_form(goals, **kwargs) -> ReviewForm:
    """Return a review form with a performance and a satisfaction scale for each goal."""

    class GoalReviewForm(ReviewForm):
        pass

    for goal in goals:
        for kind in ("performance", "satisfaction"):
            setattr(
                GoalReviewForm,
                f"{kind}_{goal.id}",
                RadioField(kind.title(), choices=SCALE_CHOICES, validators=[Optional()]),
            )
    form = GoalReviewForm(**kwargs)
    form.goal_fields = [
        (goal, form[f"performance_{goal.id}"], form[f"satisfaction_{goal.id}"]) for goal in goals
    ]
    return form


class ChildDetailsForm(Form):
    """A child's details: name and reference, date of birth, and need and EHC plan with a date."""

    first_name = StringField(
        lazy_gettext("First name"),
        validators=[
            DataRequired(lazy_gettext("Enter the child's first name")),
            Length(max=100),
        ],
    )
    last_name = StringField(lazy_gettext("Last name"), validators=[Optional(), Length(max=100)])
    reference = StringField(
        lazy_gettext("Reference"),
        validators=[
            DataRequired(lazy_gettext("Enter the child's reference")),
            Length(max=64, message=lazy_gettext("Reference must be 64 characters or fewer")),
        ],
    )
    date_of_birth = DateField(
        lazy_gettext("Date of birth"),
        description=lazy_gettext("Correct it if it was recorded wrongly. For example, 27 3 2016"),
        required_message=lazy_gettext("Enter the child's date of birth"),
    )
    primary_need = primary_need_field()
    ehcp = ehcp_field()
    change = RadioField(
        lazy_gettext("If the primary need or EHC plan is different, what happened?"),
        choices=[
            ("changed", lazy_gettext("It changed: the new value applies from a date")),
            (
                "correction",
                lazy_gettext("It was recorded wrongly: the new value always applied"),
            ),
        ],
        default="changed",
        validators=[Optional()],
    )
    changed_on = DateField(
        lazy_gettext("When did it change?"),
        description=lazy_gettext("For example, the day the EHC plan was issued: 3 3 2026"),
    )
    submit = SubmitField(lazy_gettext("Save details"))

    def validate_date_of_birth(self, field):
        """A child is not born in the future."""
        if field.data is not None and field.data > date.today():
            raise ValidationError(gettext("Date of birth must be today or in the past"))

    def validate_changed_on(self, field):
        """A change took effect in the past, and is needed when something changed."""
        if field.data is not None and field.data > date.today():
            raise ValidationError(gettext("The date of the change must be today or in the past"))


class RemoveFamilyMemberForm(Form):
    """Why a family member's access to the record is taken away."""

    reason = TextAreaField(
        lazy_gettext("Why is their access being removed?"),
        description=lazy_gettext("For example: a court order, or the young person asked."),
        validators=[
            DataRequired(lazy_gettext("Say why their access is being removed")),
            Length(max=500),
        ],
    )
    submit = SubmitField(lazy_gettext("Remove access"))


class ChildRatingStartForm(Form):
    """The start of a child's own rating: the day, today unless the adult with them changes it."""

    assessed_on = DateField(
        lazy_gettext("Which day are these ratings for?"),
        description=lazy_gettext(
            "Today, unless you are entering ratings made on another day. For example, 27 3 2026"
        ),
        required_message=lazy_gettext("Enter the date of the ratings"),
        validators=[not_in_future],
    )
    submit = SubmitField(lazy_gettext("Start"))


class ChildGoalRatingForm(Form):
    """A child's two answers about one goal; either both or, with "Skip", none."""

    performance = RadioField(
        lazy_gettext("How well"), choices=SCALE_CHOICES, validators=[Optional()]
    )
    satisfaction = RadioField(
        lazy_gettext("How happy"), choices=SCALE_CHOICES, validators=[Optional()]
    )
    skip = SubmitField(lazy_gettext("Skip this goal"))
    submit = SubmitField(lazy_gettext("Next"))

    def validate(self, extra_validators=None) -> bool:
        """Both answers are needed to go on, unless the goal is skipped."""
        valid = super().validate(extra_validators)
        if self.skip.data:
            return True
        if not self.performance.data:
            self.performance.errors.append(gettext("Choose a number for how well you do it now"))
            valid = False
        if not self.satisfaction.data:
            self.satisfaction.errors.append(
                gettext("Choose a number for how happy you are with it")
            )
            valid = False
        return valid

    def scores(self) -> tuple[int, int] | None:
        """Return the two answers, or None for a skipped goal."""
        if self.skip.data:
            return None
        return int(self.performance.data), int(self.satisfaction.data)


class ChildRatingSaveForm(Form):
    """Saving a child's ratings; `replace_same_day` confirms replacing that day's ratings."""

    replace_same_day = HiddenField()
    submit = SubmitField(lazy_gettext("Save my ratings"))


class IdeaForm(Form):
    """One goal idea while setting goals: the everyday activity, the words, the importance."""

    sub_area = RadioField(
        lazy_gettext("Which everyday activity is it about?"),
        choices=[
            (code, lazy_gettext(label))
            for sub_areas in vocabulary.OCCUPATION_SUB_AREAS.values()
            for code, label in sub_areas
        ],
        validators=[DataRequired(lazy_gettext("Choose which everyday activity the goal is about"))],
    )
    text = goal_text_field(
        lazy_gettext("The goal, in the child's or family's own words"),
        lazy_gettext("For example, “Get dressed for school by myself”."),
    )
    importance = importance_field()
    submit = SubmitField(lazy_gettext("Add this goal"))


class ChooseGoalsForm(Form):
    """The ideas that matter most, to work on now."""

    chosen = CheckboxesField(
        lazy_gettext("Which goals matter most?"), choices=[], validators=[Optional()]
    )
    submit = SubmitField(lazy_gettext("Save and continue"))


class GoalOutcomesForm(Form):
    """The area's outcomes each chosen goal helps with; a field per goal is added."""

    submit = SubmitField(lazy_gettext("Save and continue"))


def goal_outcomes_form(ideas, outcomes, **kwargs) -> GoalOutcomesForm:
    """Return a form with a set of outcome checkboxes for each chosen idea."""

    class OneForEachGoal(GoalOutcomesForm):
        pass

    choices = choice_list((outcome.id, outcome.title) for outcome in outcomes)
    for idea in ideas:
        setattr(
            OneForEachGoal,
            f"outcomes_{idea.key}",
            CheckboxesField(
                gettext("Which outcomes does “%(goal)s” help with?", goal=idea.text[:80]),
                description=gettext("Choose all that fit, or none."),
                choices=choices,
                validators=[Optional()],
            ),
        )
    form = OneForEachGoal(**kwargs)
    form.goal_fields = [(idea, form[f"outcomes_{idea.key}"]) for idea in ideas]
    form.outcome_hints = {str(outcome.id): outcome.description for outcome in outcomes}
    return form


class SaveGoalsForm(Form):
    """Saving the chosen goals together."""

    submit = SubmitField(lazy_gettext("Save these goals"))
