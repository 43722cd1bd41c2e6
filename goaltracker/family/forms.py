"""Forms families fill in: sharing decisions."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired


class SharingDecisionForm(FlaskForm):
    """Allow an organisation to see the record, or stop it."""

    decision = HiddenField(validators=[DataRequired(), AnyOf(["allow", "stop"])])
