"""Key workers' pages: the caseload, adding a child and inviting the family."""

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from goaltracker import accounts, mail, policy, records
from goaltracker.extensions import db
from goaltracker.practitioner.forms import AddChildForm, InviteFamilyForm

blueprint = Blueprint("practitioner", __name__, url_prefix="/practitioner")


@blueprint.route("/")
@policy.role_required("practitioner")
def home():
    """Show the practitioner's caseload."""
    children = db.session.scalars(records.caseload_query(current_user)).all()
    return render_template("practitioner/home.html", children=children)


@blueprint.route("/children/new", methods=["GET", "POST"])
@policy.role_required("practitioner")
def add_child():
    """Add a child to the practitioner's caseload."""
    form = AddChildForm()
    if form.validate_on_submit():
        if form.reference.data and records.reference_taken(
            current_user.area_id, form.reference.data
        ):
            form.reference.errors.append("Another child already has this reference")
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
            flash(f"{child.display_name} has been added to your caseload.", "success")
            return redirect(url_for("practitioner.invite_family", child_id=child.id))
    return render_template("practitioner/add_child.html", form=form)


@blueprint.route("/children/<int:child_id>/invite", methods=["GET", "POST"])
@policy.role_required("practitioner")
def invite_family(child_id: int):
    """Invite a parent, carer or the young person by email, and show the link to copy."""
    child = policy.child_or_abort(child_id, policy.can_invite_family)
    form = InviteFamilyForm()
    if form.validate_on_submit():
        existing = accounts.find_user_by_email(form.email.data)
        if existing is not None and existing.role != "family":
            form.email.errors.append("Use a personal email address, not a staff account")
        else:
            sent = accounts.invite_family_member(
                child,
                email=form.email.data,
                name=form.name.data,
                relationship_to_child=form.relationship_to_child.data,
                invited_by=current_user,
                valid_days=current_app.config["INVITATION_DAYS"],
            )
            db.session.commit()
            link = url_for("auth.accept_invitation", token=sent.token, _external=True)
            mail.send(
                sent.invitation.email,
                "You have been invited to Goal Tracker",
                render_template("email/invitation.txt", invitation=sent.invitation, link=link),
            )
            # The token is never stored, so the link is shown once, after the redirect.
            session["invitation_link"] = {"link": link, "email": sent.invitation.email}
            return redirect(url_for("practitioner.invitation_sent", child_id=child.id))
    return render_template("practitioner/invite_family.html", form=form, child=child)


@blueprint.route("/children/<int:child_id>/invite/sent")
@policy.role_required("practitioner")
def invitation_sent(child_id: int):
    """Show the invitation link once, so it can be copied into a text message."""
    child = policy.child_or_abort(child_id, policy.can_invite_family)
    sent = session.pop("invitation_link", None)
    if sent is None:
        return redirect(url_for("practitioner.invite_family", child_id=child.id))
    return render_template("practitioner/invitation_sent.html", child=child, sent=sent)
