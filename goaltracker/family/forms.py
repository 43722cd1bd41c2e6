"""Forms families fill in: sharing decisions."""

from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired

from goaltracker.forms import Form


class SharingDecisionForm(Form):
    """Allow an organisation to see the record, or stop it."""

    decision = HiddenField(validators=[DataRequired(), AnyOf(["allow", "stop"])])
