"""Forms families fill in: sharing decisions."""

from flask_babel import lazy_gettext
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired

from goaltracker.forms import Form, RadioField, SubmitField


class SharingDecisionForm(Form):
    """Allow an organisation to see the record, or stop it."""

    decision = HiddenField(validators=[DataRequired(), AnyOf(["allow", "stop"])])


class KeyWorkerAnswerForm(Form):
    """Agree to a new key worker, or refuse."""

    decision = HiddenField(validators=[DataRequired(), AnyOf(["agree", "refuse"])])


class HandoverForm(Form):
    """The young person's decision for each parent or carer, and their agreement."""

    submit = SubmitField(lazy_gettext("Take over my record"))


def handover_form(members) -> HandoverForm:
    """Return the handover form with a yes-or-no question for each parent or carer."""

    class MembersHandoverForm(HandoverForm):
        pass

    for _link, member in members:
        setattr(
            MembersHandoverForm,
            f"keep_{member.id}",
            RadioField(
                lazy_gettext("Can %(name)s still see your record?", name=member.name),
                choices=[("yes", lazy_gettext("Yes")), ("no", lazy_gettext("No"))],
                validators=[
                    DataRequired(
                        lazy_gettext(
                            "Say whether %(name)s can still see your record", name=member.name
                        )
                    )
                ],
            ),
        )
    form = MembersHandoverForm()
    form.member_fields = [(member, form[f"keep_{member.id}"]) for _link, member in members]
    return form
