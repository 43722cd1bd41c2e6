"""Families' pages: their children's goals at a glance, and control of sharing."""

import json
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from goaltracker import audit, consent, downloads, family_data, goals, policy
from goaltracker.extensions import db
from goaltracker.family.forms import SharingDecisionForm

blueprint = Blueprint("family", __name__, url_prefix="/family")


@blueprint.route("/")
@policy.role_required("family")
def home():
    """Show the family member's children and each child's goals at a glance."""
    children = db.session.scalars(current_user.children_query()).all()
    summaries = {child.id: goals.child_summary(child) for child in children}
    for child in children:
        audit.record("child_record_viewed", child=child, detail={"page": "family home"})
    audit.commit_view()
    return render_template("family/home.html", children=children, summaries=summaries)


@blueprint.route("/children/<int:child_id>/sharing")
@policy.role_required("family")
def sharing(child_id: int):
    """Show which organisations can see the record, and who has looked at it."""
    child = policy.child_or_abort(child_id, policy.can_decide_consent)
    return render_template(
        "family/sharing.html",
        child=child,
        sharing=consent.sharing(child),
        history=audit.access_history(child),
        describe=audit.describe,
        form=SharingDecisionForm(),
    )


@blueprint.route("/children/<int:child_id>/sharing/<int:organisation_id>", methods=["POST"])
@policy.role_required("family")
def decide(child_id: int, organisation_id: int):
    """Allow an organisation to see the record, or stop it; this takes effect at once."""
    child = policy.child_or_abort(child_id, policy.can_decide_consent)
    form = SharingDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        decision = consent.decide(
            child, organisation_id, form.decision.data == "allow", current_user
        )
    except consent.ConsentError as error:
        db.session.rollback()
        flash(str(error), "info")
    else:
        db.session.commit()
        name = decision.organisation.name
        flash(
            f"{name} can now see {child.first_name}'s goals."
            if decision.granted
            else f"{name} can no longer see {child.first_name}'s goals.",
            "success",
        )
    return redirect(url_for("family.sharing", child_id=child.id))


@blueprint.route("/children/<int:child_id>/download.<any(json, html):kind>")
@policy.role_required("family")
def download(child_id: int, kind: str):
    """Download everything held about the child, as JSON or as a page to read and keep."""
    child = policy.child_or_abort(child_id, policy.can_decide_consent)
    audit.record("record_downloaded", child=child, detail={"format": kind})
    record = family_data.everything_held(child)
    db.session.commit()
    if kind == "json":
        body, mimetype = json.dumps(record, indent=2, ensure_ascii=False), "application/json"
    else:
        body, mimetype = render_template("family/download.html", record=record), "text/html"
    return downloads.download(
        body, mimetype, "goal-tracker", child.reference, date.today().isoformat(), extension=kind
    )
