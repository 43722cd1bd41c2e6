"""Administrators' pages: the area's settings, organisations, outcomes and people."""

from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    abort,
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
from sqlalchemy import select

from goaltracker import areas, audit, erasure, files, importing, policy, records, security, uploads
from goaltracker.admin.forms import (
    ApiTokenForm,
    AuditSearchForm,
    EraseForm,
    ImportForm,
    KeyWorkerForm,
    OrganisationForm,
    OutcomeForm,
    PublicPageForm,
    RevokeTokenForm,
    SettingsForm,
)
from goaltracker.api import tokens
from goaltracker.extensions import db
from goaltracker.forms import choice_list, page_number, text_argument, whole_number_argument
from goaltracker.models import ApiToken, Area, Organisation, User
from goaltracker.public.views import render_public_page

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.route("/")
@policy.role_required(*policy.ADMINISTRATORS)
def home():
    """Show the areas the administrator looks after, with their settings and people."""
    query = select(Area).order_by(Area.name)
    if current_user.area_id is not None:
        query = query.where(Area.id == current_user.area_id)
    areas = db.session.scalars(query).all()
    staff = db.session.scalars(
        select(User)
        .where(User.area_id.in_([area.id for area in areas]), User.role != "family")
        .order_by(User.role, User.name)
    ).all()
    return render_template("admin/home.html", areas=areas, staff=staff)


@blueprint.route("/children")
@policy.role_required(*policy.AREA_STAFF)
def children():
    """List the area's children by reference and key worker, to reassign key workers."""
    area_id = whole_number_argument("area", current_user.area_id)
    if not policy.can_view_reports(current_user, area_id or 0):
        abort(403)
    area = policy.area_or_abort(area_id)
    page = page_number()
    reference = text_argument("reference")
    practitioners = records.practitioners_of_area(area.id)
    key_worker_id = (
        records.NO_KEY_WORKER
        if text_argument("key_worker") == "none"
        else whole_number_argument("key_worker")
    )
    if key_worker_id not in {records.NO_KEY_WORKER, *(p.id for p in practitioners)}:
        key_worker_id = None
    listed, total = records.children_of_area(
        area.id, page, reference=reference, key_worker_id=key_worker_id
    )
    return render_template(
        "admin/children.html",
        area=area,
        children=listed,
        total=total,
        page=page,
        reference=reference,
        practitioners=practitioners,
        key_worker=next((p for p in practitioners if p.id == key_worker_id), None),
        key_worker_value=(
            "none" if key_worker_id == records.NO_KEY_WORKER else (key_worker_id or "")
        ),
    )


@blueprint.route("/children/<int:child_id>/key-worker", methods=["GET", "POST"])
@policy.role_required(*policy.AREA_STAFF)
def key_worker(child_id: int):
    """Give a child a new key worker, for example when the key worker goes on leave."""
    child = policy.child_or_abort(child_id, policy.can_reassign_key_worker)
    if request.method == "GET":
        audit.record_now("key_worker_page_viewed", child=child)
    form = KeyWorkerForm()
    practitioners = records.practitioners_of_area(child.area_id)
    form.key_worker_id.choices = choice_list(
        [("", gettext("Choose a practitioner"))]
        + [
            (
                p.id,
                gettext(
                    "%(name)s, %(organisation)s",
                    name=p.name,
                    organisation=p.organisation.name
                    if p.organisation
                    else gettext("no organisation"),
                ),
            )
            for p in practitioners
        ]
    )
    if form.validate_on_submit():
        chosen = next((p for p in practitioners if str(p.id) == form.key_worker_id.data), None)
        if chosen is None:
            form.key_worker_id.errors.append(gettext("Choose the new key worker"))
        else:
            try:
                records.change_key_worker(child, chosen, current_user)
            except records.NeedsFamilyConsent:
                records.ask_family_about_key_worker(child, chosen, current_user)
                db.session.commit()
                flash(
                    gettext(
                        "The family had stopped %(organisation)s seeing the record, so they have "
                        "been asked first. %(worker)s becomes the key worker for %(reference)s "
                        "when they agree.",
                        organisation=chosen.organisation.name,
                        worker=chosen.name,
                        reference=child.reference,
                    ),
                    "info",
                )
            else:
                db.session.commit()
                flash(
                    gettext(
                        "%(worker)s is now the key worker for %(reference)s.",
                        worker=chosen.name,
                        reference=child.reference,
                    ),
                    "success",
                )
            return redirect(url_for("admin.children", area=child.area_id))
    return render_template("admin/key_worker.html", child=child, form=form)


@blueprint.route("/audit")
@policy.role_required(*policy.ADMINISTRATORS)
def audit_trail():
    """Search the audit trail: who saw or changed what, when and from where."""
    form = AuditSearchForm(request.args)
    form.action.choices = choice_list(
        [("", gettext("Anything"))]
        + [(action, gettext(words)) for action, words in sorted(audit.ACTION_WORDS.items())]
    )
    events, total, page = [], 0, page_number()
    if form.validate():
        events, total = audit.search(
            current_user.area_id,
            email=form.email.data or "",
            child_reference=form.child_reference.data or "",
            action=form.action.data or "",
            since=form.since.data,
            until=form.until.data,
            page=page,
        )
    return render_template(
        "admin/audit.html",
        form=form,
        events=events,
        total=total,
        page=page,
        describe=audit.describe,
    )


@blueprint.route("/children/<int:child_id>/erase", methods=["GET", "POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def erase(child_id: int):
    """Erase a child's record on a verified request, after the reference is typed to confirm."""
    child = policy.child_or_abort(
        child_id, lambda user, child: policy.can_administer(user, child.area_id)
    )
    form = EraseForm()
    if form.validate_on_submit():
        if form.reference.data.strip() != child.reference:
            form.reference.errors.append(gettext("The reference does not match this child"))
        else:
            reference = child.reference
            erasure.erase_child(child, current_user, form.reason.data)
            db.session.commit()
            flash(
                gettext("The record %(reference)s has been erased.", reference=reference), "success"
            )
            return redirect(url_for("admin.children", area=child.area_id))
    return render_template("admin/erase.html", child=child, form=form)


def outcome_or_404(outcome_id: int):
    """Return an outcome of the user's area, or 404."""
    outcome = areas.outcome_of_area(policy.own_area_or_abort().id, outcome_id)
    if outcome is None:
        abort(404)
    return outcome


@blueprint.route("/outcomes")
@policy.role_required(*policy.AREA_STAFF)
def outcomes():
    """List the area's strategic outcomes in order, retired ones included."""
    area = policy.own_area_or_abort()
    return render_template("admin/outcomes.html", area=area, outcomes=area.outcomes)


@blueprint.route("/outcomes/new", methods=["GET", "POST"])
@policy.role_required(*policy.AREA_STAFF)
def new_outcome():
    """Add a strategic outcome at the end of the framework."""
    area = policy.own_area_or_abort()
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            outcome = areas.add_outcome(
                area, form.code.data, form.title.data, form.description.data or ""
            )
        except areas.AreaError as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(gettext("Outcome %(code)s added.", code=outcome.code), "success")
            return redirect(url_for("admin.outcomes"))
    return render_template("admin/outcome_form.html", form=form, outcome=None)


@blueprint.route("/outcomes/<int:outcome_id>/edit", methods=["GET", "POST"])
@policy.role_required(*policy.AREA_STAFF)
def edit_outcome(outcome_id: int):
    """Change an outcome's title and description; the code stays."""
    outcome = outcome_or_404(outcome_id)
    form = OutcomeForm(obj=outcome)
    form.code.data = outcome.code  # the code never changes: import files and history use it
    if form.validate_on_submit():
        areas.edit_outcome(outcome, form.title.data, form.description.data or "")
        db.session.commit()
        flash(gettext("Outcome %(code)s saved.", code=outcome.code), "success")
        return redirect(url_for("admin.outcomes"))
    return render_template("admin/outcome_form.html", form=form, outcome=outcome)


@blueprint.route(
    "/outcomes/<int:outcome_id>/<any(up, down, retire, reinstate):action>", methods=["POST"]
)
@policy.role_required(*policy.AREA_STAFF)
def change_outcome(outcome_id: int, action: str):
    """Move an outcome up or down, retire it or bring it back."""
    outcome = outcome_or_404(outcome_id)
    if action in ("up", "down"):
        areas.move_outcome(outcome, -1 if action == "up" else 1)
    else:
        areas.set_retired(outcome, action == "retire")
    db.session.commit()
    return redirect(url_for("admin.outcomes"))


@blueprint.route("/organisations/new", methods=["GET", "POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def new_organisation():
    """Add an agency to the area."""
    area = policy.own_area_or_abort()
    form = OrganisationForm()
    if form.validate_on_submit():
        if areas.organisation_named(area, form.name.data.strip()) is not None:
            form.name.errors.append(gettext("The area already has an organisation with this name"))
        else:
            areas.add_organisation(area, form.name.data, form.type.data)
            db.session.commit()
            flash(gettext("%(name)s added.", name=form.name.data.strip()), "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/organisation_form.html", form=form)


@blueprint.route("/settings", methods=["GET", "POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def settings():
    """Change the area's review interval, suppression threshold and other settings."""
    area = policy.own_area_or_abort()
    form = SettingsForm(obj=area)
    if form.validate_on_submit():
        counted_differently = areas.update_settings(
            area,
            review_interval_days=form.review_interval_days.data,
            suppression_threshold=form.suppression_threshold.data,
            max_active_goals=form.max_active_goals.data,
            important_change=float(form.important_change.data),
            retention_basis=form.retention_basis.data,
            retention_years=form.retention_years.data,
        )
        db.session.commit()
        flash(
            gettext(
                "Settings saved. Today's outcome figures already use them; figures for past "
                "quarter ends are worked out again tonight, and may be slower to show until then."
            )
            if counted_differently
            else gettext("Settings saved."),
            "success",
        )
        return redirect(url_for("admin.home"))
    return render_template("admin/settings.html", form=form, area=area)


@blueprint.route("/retention")
@policy.role_required(*policy.ADMINISTRATORS)
def retention():
    """Show which records are past the area's retention period, and will be anonymised."""
    area = policy.own_area_or_abort()
    return render_template(
        "admin/retention.html", area=area, due=erasure.due_records(area, date.today())
    )


@blueprint.route("/public-page", methods=["GET", "POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def public_page():
    """Publish the area's protected outcomes on a public page, or stop publishing it."""
    area = policy.own_area_or_abort()
    form = PublicPageForm()
    if form.validate_on_submit():
        publish = form.publish.data == "yes"
        if areas.set_public_outcomes(area, publish):
            db.session.commit()
            flash(
                gettext("The public outcomes page is published.")
                if publish
                else gettext("The public outcomes page is no longer published."),
                "success",
            )
        return redirect(url_for("admin.public_page"))
    form.publish.data = "yes" if area.public_outcomes else "no"
    return render_template("admin/public_page.html", form=form, area=area)


@blueprint.route("/public-page/preview")
@policy.role_required(*policy.ADMINISTRATORS)
def public_page_preview():
    """Show the administrator what the public page shows, before publishing it."""
    return render_public_page(policy.own_area_or_abort(), preview=True)


def upload_folder() -> Path:
    """Return the private folder where checked uploads wait for confirmation."""
    return files.private_folder(Path(current_app.instance_path) / "uploads")


def upload_path(token: str) -> Path:
    """Return where a checked upload waits for confirmation, inside the instance folder."""
    safe = "".join(character for character in token if character.isalnum() or character in "-_")
    return upload_folder() / f"{safe or 'none'}.csv"


@blueprint.route("/import", methods=["GET", "POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def import_file():
    """Check an uploaded CSV and preview what importing it would do; nothing is written yet."""
    area = policy.own_area_or_abort()
    form = ImportForm()
    summary = None
    uploads.remove_stale(upload_folder())
    if form.validate_on_submit():
        # The upload goes to a private file as it arrives, and is checked from there line by
        # line, so a large file never sits in memory whole.
        forget_pending_upload()
        token = security.new_token()
        path = upload_path(token)
        try:
            written = uploads.save(form.file.data.stream, path, importing.MAX_FILE_BYTES)
        finally:
            form.file.data.close()
        if written:
            summary = importing.validate(db.session, area, path)
            db.session.rollback()
        else:
            summary = importing.too_big_summary()
        if summary.ok:
            session["pending_import"] = {"token": token, "name": form.file.data.filename}
        else:
            path.unlink(missing_ok=True)
    return render_template("admin/import.html", form=form, summary=summary, area=area)


def forget_pending_upload() -> None:
    """Remove the file of an earlier check that was never imported."""
    pending = session.pop("pending_import", None)
    if isinstance(pending, dict) and isinstance(pending.get("token"), str):
        upload_path(pending["token"]).unlink(missing_ok=True)


@blueprint.route("/import/confirm", methods=["POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def confirm_import():
    """Import the file that was checked and previewed, all of it or nothing."""
    area = policy.own_area_or_abort()
    pending = session.pop("pending_import", None)
    if pending is None or not upload_path(pending["token"]).exists():
        flash(gettext("Choose the file again: the checked file was not found."), "info")
        return redirect(url_for("admin.import_file"))
    path = upload_path(pending["token"])
    try:
        summary = importing.import_ratings(db.session, area, path, current_user)
        if summary.ok:
            db.session.commit()
        else:
            db.session.rollback()
    finally:
        path.unlink(missing_ok=True)
    session["import_result"] = {
        "name": pending["name"],
        "imported": summary.imported,
        "lines": summary.describe(),
        "errors": [str(problem) for problem in summary.errors],
    }
    return redirect(url_for("admin.import_done"))


@blueprint.route("/import/done")
@policy.role_required(*policy.ADMINISTRATORS)
def import_done():
    """Show what the import did, once."""
    result = session.pop("import_result", None)
    if result is None:
        return redirect(url_for("admin.import_file"))
    return render_template("admin/import_done.html", result=result)


@blueprint.route("/api-keys", methods=["GET", "POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def api_keys():
    """Issue keys for other systems to read from the API, and see the area's keys."""
    area = policy.own_area_or_abort()
    form = ApiTokenForm()
    form.organisation.choices = choice_list(
        [("", gettext("None"))]
        + [(organisation.id, organisation.name) for organisation in area.organisations]
    )
    if form.validate_on_submit():
        chosen = form.organisation.chosen()
        organisation = db.session.get(Organisation, int(chosen)) if chosen else None
        try:
            token, secret = tokens.issue(
                db.session,
                area,
                name=form.name.data,
                scopes=form.scopes.data,
                days=form.days.data,
                issued_by=current_user,
                organisation=organisation,
            )
        except tokens.TokenError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.flush()
            audit.record(
                "api_token_issued",
                area_id=area.id,
                detail={"token": token.id, "name": token.name, "scopes": token.scope_list},
            )
            db.session.commit()
            # Shown once, on this page, and never again.
            return render_template("admin/api_key_issued.html", token=token, secret=secret)
    return render_template(
        "admin/api_keys.html",
        form=form,
        keys=tokens.area_tokens(db.session, area),
        active=tokens.is_active,
        revoke_form=RevokeTokenForm(),
    )


@blueprint.route("/api-keys/<int:token_id>/revoke", methods=["POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def revoke_api_key(token_id: int):
    """Stop a key working, at once."""
    area = policy.own_area_or_abort()
    token = db.session.get(ApiToken, token_id)
    if token is None or token.area_id != area.id:
        abort(404)
    form = RevokeTokenForm()
    if not form.validate_on_submit():
        abort(400)
    tokens.revoke(token)
    audit.record(
        "api_token_revoked", area_id=area.id, detail={"token": token.id, "name": token.name}
    )
    db.session.commit()
    flash(gettext("The key “%(name)s” no longer works.", name=token.name), "success")
    return redirect(url_for("admin.api_keys"))
