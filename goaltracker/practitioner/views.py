"""Key workers' pages: the caseload, adding a child and inviting the family."""

from datetime import date

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from goaltracker import consent, policy, records, vocabulary
from goaltracker.accounts import AccountError, invitations
from goaltracker.extensions import db
from goaltracker.forms import page_number, text_argument
from goaltracker.practitioner.forms import (
    AddChildForm,
    AskConsentForm,
    InviteFamilyForm,
    RemindersForm,
)

blueprint = Blueprint("practitioner", __name__, url_prefix="/practitioner")


@blueprint.route("/")
@policy.role_required(*policy.PRACTITIONERS)
def home():
    """Show the caseload: who needs a review, and anything that got worse."""
    sort = request.args.get("sort", "due")
    show = request.args.get("show", "all")
    sort = sort if sort in records.CASELOAD_SORTS else "due"
    show = show if show in records.CASELOAD_SHOWS else "all"
    search = text_argument("search")
    caseload = records.caseload(
        current_user, today=date.today(), sort=sort, show=show, search=search, page=page_number()
    )
    return render_template(
        "practitioner/home.html",
        caseload=caseload,
        sort=sort,
        show=show,
        search=search,
        reminder_form=RemindersForm(
            email_reminders="yes" if current_user.email_reminders else "no"
        ),
    )


@blueprint.route("/reminders", methods=["POST"])
@policy.role_required(*policy.PRACTITIONERS)
def reminders():
    """Turn email reminders about due reviews on or off."""
    form = RemindersForm()
    if form.validate_on_submit():
        current_user.email_reminders = form.email_reminders.data == "yes"
        db.session.commit()
        flash(
            gettext("Email reminders are on.")
            if current_user.email_reminders
            else gettext("Email reminders are off."),
            "success",
        )
    return redirect(url_for("practitioner.home"))


@blueprint.route("/children/<int:child_id>/ask-consent", methods=["POST"])
@policy.role_required(*policy.PRACTITIONERS)
def ask_consent(child_id: int):
    """Ask the family to let another organisation see the record."""
    child = policy.child_or_abort(child_id, policy.can_invite_family)
    form = AskConsentForm()
    form.offer(consent.sharing(child))
    if form.validate_on_submit():
        try:
            emailed = consent.ask(
                child,
                int(form.organisation_id.data),
                current_user,
                url_for("auth.sign_in", _external=True),
            )
        except consent.ConsentError as error:
            db.session.rollback()
            flash(str(error), "info")
        else:
            db.session.commit()
            flash(
                gettext("The family has been asked. They decide on their own pages.")
                if emailed
                else gettext(
                    "The family has been asked, but the email to them could not be sent: "
                    "they will see the question when they next sign in. You could also tell them."
                ),
                "success" if emailed else "info",
            )
    else:
        flash(gettext("Choose an organisation to ask about."), "info")
    return redirect(url_for("children.show", child_id=child.id) + "#sharing")


@blueprint.route("/children/new", methods=["GET", "POST"])
@policy.role_required(*policy.PRACTITIONERS)
def add_child():
    """Add a child to the practitioner's caseload."""
    form = AddChildForm()
    if form.validate_on_submit():
        if form.reference.data and records.reference_taken(
            current_user.area_id, form.reference.data
        ):
            form.reference.errors.append(gettext("Another child already has this reference"))
        else:
            child = records.add_child(
                current_user,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                date_of_birth=form.date_of_birth.data,
                primary_need=form.primary_need.data,
                ehcp=form.ehcp.data == "yes",
                reference=form.reference.data,
            )
            db.session.commit()
            flash(
                gettext("%(name)s has been added to your caseload.", name=child.display_name),
                "success",
            )
            return redirect(url_for("practitioner.invite_family", child_id=child.id))
    return render_template("practitioner/add_child.html", form=form)


@blueprint.route("/children/<int:child_id>/invite", methods=["GET", "POST"])
@policy.role_required(*policy.PRACTITIONERS)
def invite_family(child_id: int):
    """Invite a parent, carer or the young person by email, and show the link to copy."""
    child = policy.child_or_abort(child_id, policy.can_invite_family)
    form = InviteFamilyForm()
    if request.method == "GET" and request.args.get("relationship") in vocabulary.RELATIONSHIPS:
        form.relationship_to_child.data = request.args["relationship"]
    if form.validate_on_submit() and send_family_invitation(child, form):
        return redirect(url_for("practitioner.invitation_sent", child_id=child.id))
    return render_template("practitioner/invite_family.html", form=form, child=child)


def send_family_invitation(child, form: InviteFamilyForm) -> bool:
    """Invite the family member the form names, for a practitioner or a family member; return
    whether it was sent (otherwise the form says why). The link waits in the session, to be
    shown once after the redirect, since its token is never stored."""
    try:
        sent = invitations.invite_family_member(
            child,
            email=form.email.data,
            name=form.name.data,
            relationship_to_child=form.relationship_to_child.data,
            invited_by=current_user,
            valid_days=current_app.config["INVITATION_DAYS"],
        )
    except AccountError as error:
        db.session.rollback()
        form.email.errors.append(str(error))
        return False
    db.session.commit()
    link = url_for("auth.accept_invitation", token=sent.token, _external=True)
    emailed = invitations.send_email(sent, link)
    session["invitation_link"] = {"link": link, "email": sent.invitation.email, "emailed": emailed}
    return True


@blueprint.route("/children/<int:child_id>/invite/sent")
@policy.role_required(*policy.PRACTITIONERS)
def invitation_sent(child_id: int):
    """Show the invitation link once, so it can be copied into a text message."""
    child = policy.child_or_abort(child_id, policy.can_invite_family)
    sent = session.pop("invitation_link", None)
    if sent is None:
        return redirect(url_for("practitioner.invite_family", child_id=child.id))
    return render_template("practitioner/invitation_sent.html", child=child, sent=sent)
