"""Administrators' staff pages: the list, invitations, roles, deactivation and caseloads."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from goaltracker import policy, records
from goaltracker.accounts import AccountError, invitations, staff
from goaltracker.extensions import db
from goaltracker.forms import choice_list, whole_number_argument
from goaltracker.models import Area, Organisation, User
from goaltracker.staff.forms import (
    ButtonForm,
    ChangeRoleForm,
    DeactivateForm,
    InviteStaffForm,
    ReassignForm,
)
from goaltracker.vocabulary import N_

blueprint = Blueprint("staff", __name__, url_prefix="/admin/staff")


def staff_area(*, required: bool = True) -> Area | None:
    """Return the area whose staff the administrator manages: theirs, or one they pick.

    An administrator of every area sees every area's staff until they pick one.
    """
    area_id = current_user.area_id or whole_number_argument("area")
    if area_id is None:
        if required:
            abort(404)
        return None
    if not policy.can_administer(current_user, area_id):
        abort(403)
    return db.get_or_404(Area, area_id)


def staff_member_or_abort(user_id: int) -> User:
    """Return a staff account the administrator may change: 404 when missing, 403 when not."""
    user = db.session.get(User, user_id)
    if user is None or user.role == "family":
        abort(404)
    if not policy.can_manage_staff(current_user, user):
        abort(403)
    return user


def organisation_choices(form, area_id: int) -> list[Organisation]:
    """Offer the area's organisations in the form, and return them."""
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.area_id == area_id).order_by(Organisation.name)
    ).all()
    form.organisation_id.choices = choice_list(
        [("", gettext("No organisation"))] + [(o.id, o.name) for o in organisations]
    )
    return list(organisations)


def chosen_organisation(form, organisations: list[Organisation]) -> Organisation | None:
    """Return the organisation picked in the form, if any."""
    return next((o for o in organisations if str(o.id) == (form.organisation_id.data or "")), None)


@blueprint.route("/")
@policy.role_required(*policy.ADMINISTRATORS)
def index():
    """List the area's staff with role, organisation, last sign-in and second factor."""
    area = staff_area(required=False)
    areas = (
        [area] if area is not None else db.session.scalars(select(Area).order_by(Area.name)).all()
    )
    return render_template(
        "staff/index.html",
        area=area,
        areas=areas,
        members=staff.staff_of_area(area.id if area else None),
    )


@blueprint.route("/invite", methods=["GET", "POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def invite():
    """Invite a new member of staff by email with their role."""
    area = staff_area()
    form = InviteStaffForm()
    organisations = organisation_choices(form, area.id)
    if form.validate_on_submit():
        organisation = chosen_organisation(form, organisations)
        try:
            sent = invitations.invite_staff(
                area,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                organisation=organisation,
                invited_by=current_user,
                valid_days=current_app.config["INVITATION_DAYS"],
            )
        except AccountError as error:
            db.session.rollback()
            # The organisation is checked first; whatever else is wrong is the email address.
            # (Not told apart by the message's words: they are in the page's language.)
            needs_organisation = form.role.data == "practitioner" and organisation is None
            field = form.organisation_id if needs_organisation else form.email
            field.errors.append(str(error))
        else:
            db.session.commit()
            link = url_for("auth.accept_invitation", token=sent.token, _external=True)
            emailed = invitations.send_email(sent, link)
            session["invitation_link"] = {
                "link": link,
                "email": sent.invitation.email,
                "emailed": emailed,
                "user_id": sent.invitation.user_id,
            }
            return redirect(url_for("staff.invitation_sent", area=area.id))
    return render_template("staff/invite.html", form=form, area=area)


@blueprint.route("/invite/sent")
@policy.role_required(*policy.ADMINISTRATORS)
def invitation_sent():
    """Show the staff invitation link once."""
    area = staff_area()
    sent = session.pop("invitation_link", None)
    if sent is None or "user_id" not in sent:
        return redirect(url_for("staff.index", area=area.id))
    return render_template("staff/invitation_sent.html", sent=sent, area=area)


@blueprint.route("/<int:user_id>")
@policy.role_required(*policy.ADMINISTRATORS)
def show(user_id: int):
    """Show one member of staff, with what can be changed."""
    user = staff_member_or_abort(user_id)
    form = ChangeRoleForm(role=user.role, organisation_id=str(user.organisation_id or ""))
    organisation_choices(form, user.area_id)
    return render_template(
        "staff/show.html",
        user=user,
        form=form,
        button=ButtonForm(),
        caseload=staff.caseload_of(user),
    )


@blueprint.route("/<int:user_id>/role", methods=["POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def change_role(user_id: int):
    """Change a member of staff's role or organisation; their sessions end."""
    user = staff_member_or_abort(user_id)
    form = ChangeRoleForm()
    organisations = organisation_choices(form, user.area_id)
    if form.validate_on_submit():
        try:
            changed = staff.change_role(
                user,
                form.role.data,
                chosen_organisation(form, organisations),
                changed_by=current_user,
            )
        except AccountError as error:
            db.session.rollback()
            form.role.errors.append(str(error))
        else:
            db.session.commit()
            if changed:
                flash(
                    gettext(
                        "%(name)s's role has changed. They need to sign in again.", name=user.name
                    ),
                    "success",
                )
            return redirect(url_for("staff.show", user_id=user.id))
    return render_template(
        "staff/show.html",
        user=user,
        form=form,
        button=ButtonForm(),
        caseload=staff.caseload_of(user),
    )


@blueprint.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def deactivate(user_id: int):
    """Deactivate an account with a reason: its sessions end at once."""
    user = staff_member_or_abort(user_id)
    form = DeactivateForm()
    if form.validate_on_submit():
        try:
            staff.deactivate(user, form.reason.data, changed_by=current_user)
        except AccountError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                gettext(
                    "%(name)s's account is deactivated and signed out everywhere.", name=user.name
                ),
                "success",
            )
            if staff.caseload_of(user):
                return redirect(url_for("staff.reassign", user_id=user.id))
            return redirect(url_for("staff.show", user_id=user.id))
    return render_template(
        "staff/deactivate.html", user=user, form=form, caseload=staff.caseload_of(user)
    )


def _confirmed_action(user_id: int, action, message: str):
    """Run a one-button change on a staff account and go back to it; the message (marked with
    N_) is said in the page's language with the account's name."""
    user = staff_member_or_abort(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        action(user)
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "info")
    else:
        db.session.commit()
        flash(gettext(message, name=user.name), "success")
    return redirect(url_for("staff.show", user_id=user.id))


@blueprint.route("/<int:user_id>/reactivate", methods=["POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def reactivate(user_id: int):
    """Let a deactivated account sign in again."""
    return _confirmed_action(
        user_id,
        lambda user: staff.reactivate(user, changed_by=current_user),
        N_("%(name)s can sign in again."),
    )


@blueprint.route("/<int:user_id>/reset-two-factor", methods=["POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def reset_two_factor(user_id: int):
    """Remove a member of staff's authenticator app; they set one up at next sign-in."""
    return _confirmed_action(
        user_id,
        lambda user: staff.reset_two_factor(user, changed_by=current_user),
        N_("%(name)s's authenticator app is removed. They set one up when they next sign in."),
    )


@blueprint.route("/<int:user_id>/password-sign-in", methods=["POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def password_sign_in(user_id: int):
    """Turn signing in with a local password on or off (for single sign-on users)."""
    return _confirmed_action(
        user_id,
        lambda user: staff.set_password_sign_in(
            user, not user.password_sign_in, changed_by=current_user
        ),
        N_("%(name)s's password sign-in has changed."),
    )


@blueprint.route("/<int:user_id>/caseload", methods=["GET", "POST"])
@policy.role_required(*policy.ADMINISTRATORS)
def reassign(user_id: int):
    """Move every child a practitioner key-works to another key worker, in one go."""
    user = staff_member_or_abort(user_id)
    caseload = staff.caseload_of(user)
    form = ReassignForm()
    practitioners = [p for p in records.practitioners_of_area(user.area_id) if p.id != user.id]
    no_organisation = gettext("no organisation")
    form.key_worker_id.choices = choice_list(
        [("", gettext("Choose a practitioner"))]
        + [
            (p.id, f"{p.name}, {p.organisation.name if p.organisation else no_organisation}")
            for p in practitioners
        ]
    )
    if form.validate_on_submit() and caseload:
        chosen = next((p for p in practitioners if str(p.id) == form.key_worker_id.data), None)
        if chosen is None:
            form.key_worker_id.errors.append(gettext("Choose the new key worker"))
        else:
            # Children whose family stopped the new key worker's organisation are not moved
            # over their decision: the family is asked first.
            moved, asked = records.move_children(caseload, chosen, current_user)
            db.session.commit()
            message = ngettext(
                "%(num)d child moved to %(name)s.",
                "%(num)d children moved to %(name)s.",
                moved,
                name=chosen.name,
            )
            if asked:
                message += " " + gettext(
                    "The families of %(asked)s had stopped %(organisation)s "
                    "seeing the record: they have been asked first.",
                    asked=asked,
                    organisation=chosen.organisation.name,
                )
            flash(message, "success")
            return redirect(url_for("staff.show", user_id=user.id))
    return render_template("staff/reassign.html", user=user, form=form, caseload=caseload)
