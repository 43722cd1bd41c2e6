"""Families' pages: their children's goals at a glance, and control of sharing."""

import json
from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from goaltracker import audit, consent, downloads, family_data, goals, policy, records
from goaltracker import handover as handover_module
from goaltracker.extensions import db
from goaltracker.family.forms import KeyWorkerAnswerForm, SharingDecisionForm, handover_form
from goaltracker.forms import page_number
from goaltracker.models import KeyWorkerRequest
from goaltracker.practitioner.forms import InviteFamilyForm
from goaltracker.practitioner.views import send_family_invitation

blueprint = Blueprint("family", __name__, url_prefix="/family")
# Events of "who has looked at or changed the record" shown a page at a time.
HISTORY_PAGE_SIZE = 25


@blueprint.route("/")
@policy.role_required(*policy.FAMILY)
def home():
    """Show the family member's children and each child's goals at a glance."""
    children = db.session.scalars(current_user.children_query()).all()
    summaries = {child.id: goals.child_summary(child) for child in children}
    for child in children:
        audit.record("child_record_viewed", child=child, detail={"page": "family home"})
    audit.commit_view()
    return render_template(
        "family/home.html", children=children, summaries=summaries, today=date.today()
    )


@blueprint.route("/children/<int:child_id>/sharing")
@policy.role_required(*policy.FAMILY)
def sharing(child_id: int):
    """Show which organisations can see the record, and who has looked at it."""
    child = policy.child_or_abort(child_id, policy.can_decide_consent)
    page = page_number()
    return render_template(
        "family/sharing.html",
        child=child,
        sharing=consent.sharing(child),
        history=audit.access_history(
            child, limit=HISTORY_PAGE_SIZE, offset=(page - 1) * HISTORY_PAGE_SIZE
        ),
        history_total=audit.access_history_count(child),
        page=page,
        page_size=HISTORY_PAGE_SIZE,
        describe=audit.describe,
        form=SharingDecisionForm(),
        members=records.family_members(child),
        key_worker_requests=records.open_key_worker_requests(child),
        answer_form=KeyWorkerAnswerForm(),
    )


@blueprint.route("/children/<int:child_id>/invite", methods=["GET", "POST"])
@policy.role_required(*policy.FAMILY)
def invite(child_id: int):
    """Invite another parent or carer (or the young person) to see the record."""
    child = policy.child_or_abort(child_id, policy.can_decide_consent)
    form = InviteFamilyForm()
    if form.validate_on_submit() and send_family_invitation(child, form):
        return redirect(url_for("family.invitation_sent", child_id=child.id))
    return render_template("family/invite.html", form=form, child=child)


@blueprint.route("/children/<int:child_id>/invite/sent")
@policy.role_required(*policy.FAMILY)
def invitation_sent(child_id: int):
    """Show the invitation link once, to send by text message too."""
    child = policy.child_or_abort(child_id, policy.can_decide_consent)
    sent = session.pop("invitation_link", None)
    if sent is None:
        return redirect(url_for("family.sharing", child_id=child.id))
    return render_template("family/invitation_sent.html", child=child, sent=sent)


@blueprint.route("/children/<int:child_id>/key-worker-requests/<int:request_id>", methods=["POST"])
@policy.role_required(*policy.FAMILY)
def answer_key_worker(child_id: int, request_id: int):
    """Agree to a new key worker in an organisation the family had stopped, or refuse."""
    child = policy.child_or_abort(child_id, policy.can_decide_consent)
    request_ = db.session.get(KeyWorkerRequest, request_id)
    if request_ is None or request_.child_id != child.id or request_.answered_at is not None:
        abort(404)
    form = KeyWorkerAnswerForm()
    if not form.validate_on_submit():
        abort(400)
    agreed = form.decision.data == "agree"
    records.answer_key_worker_request(request_, agreed, current_user)
    db.session.commit()
    flash(
        gettext(
            "%(worker)s is now %(name)s's key worker.",
            worker=request_.key_worker.name,
            name=child.first_name,
        )
        if agreed
        else gettext(
            "You said no: %(worker)s will not be the key worker.", worker=request_.key_worker.name
        ),
        "success",
    )
    return redirect(url_for("family.sharing", child_id=child.id))


@blueprint.route("/children/<int:child_id>/take-over", methods=["GET", "POST"])
@policy.role_required(*policy.FAMILY)
def handover(child_id: int):
    """Let a young person of 16 or over take over their own record."""
    child = policy.child_or_abort(
        child_id, lambda user, child: policy.can_take_over(user, child, date.today())
    )
    members = handover_module.family_to_ask(child)
    form = handover_form(members)
    if form.validate_on_submit():
        keep = {member.id: field.data == "yes" for member, field in form.member_fields}
        handover_module.take_over(child, current_user, keep, date.today())
        db.session.commit()
        flash(
            gettext(
                "Your record is now yours. Check which services can see your goals below: "
                "you decide from now on."
            ),
            "success",
        )
        return redirect(url_for("family.sharing", child_id=child.id))
    return render_template("family/handover.html", child=child, form=form)


@blueprint.route("/children/<int:child_id>/sharing/<int:organisation_id>", methods=["POST"])
@policy.role_required(*policy.FAMILY)
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
            gettext(
                "%(organisation)s can now see %(name)s's goals.",
                organisation=name,
                name=child.first_name,
            )
            if decision.granted
            else gettext(
                "%(organisation)s can no longer see %(name)s's goals.",
                organisation=name,
                name=child.first_name,
            ),
            "success",
        )
    return redirect(url_for("family.sharing", child_id=child.id))


@blueprint.route("/children/<int:child_id>/everything")
@policy.role_required(*policy.FAMILY)
def everything(child_id: int):
    """Show everything held about the child as a page to read, with the latest views."""
    child = policy.child_or_abort(child_id, policy.can_decide_consent)
    audit.record("record_downloaded", child=child, detail={"format": "page"})
    record = family_data.everything_held(child)
    db.session.commit()
    return render_template(
        "family/everything.html",
        record=record,
        child_id=child.id,
        history_limit=HISTORY_PAGE_SIZE,
    )


@blueprint.route("/children/<int:child_id>/download.<any(json, html):kind>")
@policy.role_required(*policy.FAMILY)
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
