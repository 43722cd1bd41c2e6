"""Forms administrators fill in."""

from flask_wtf import FlaskForm
from wtforms.validators import DataRequired

from goaltracker.forms import SelectField, SubmitField


class KeyWorkerForm(FlaskForm):
    """A new key worker for a child."""

    key_worker_id = SelectField(
        "New key worker",
        choices=[],
        validators=[DataRequired("Choose the new key worker")],
    )
    submit = SubmitField("Change key worker")
