"""The account page: change the password, see and end sessions, set up the second factor."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from goaltracker import audit, security
from goaltracker.account.forms import (
    ChangePasswordForm,
    EndSessionsForm,
    PasswordCheckForm,
    TwoFactorForm,
)
from goaltracker.accounts import passwords, sessions
from goaltracker.accounts import two_factor as second_factor
from goaltracker.extensions import db
from goaltracker.forms import safe_next_url

blueprint = Blueprint("account", __name__, url_prefix="/account")


def has_local_password() -> bool:
    """Return whether the signed-in person signs in with a password here."""
    return bool(current_user.password_hash) and current_user.password_sign_in


@blueprint.route("/")
@login_required
def home():
    """Show the account: who, how they sign in, and where they are signed in."""
    current = sessions.current_record()
    return render_template(
        "account/home.html",
        open_sessions=sessions.open_sessions(current_user),
        current_id=current.id if current else None,
        end_form=EndSessionsForm(),
        has_password=has_local_password(),
        recovery_codes_left=second_factor.recovery_codes_left(current_user)
        if current_user.totp_secret
        else 0,
    )


@blueprint.route("/keep-alive")
@login_required
def keep_alive():
    """Keep the session going: asked for by the "Stay signed in" button of the time-out warning."""
    return "", 204, {"Cache-Control": "no-store"}


@blueprint.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password (the current one is needed); other sessions end."""
    if not has_local_password():
        abort(404)
    form = ChangePasswordForm(email=current_user.email)
    if form.validate_on_submit():
        if passwords.change_password(current_user, form.current.data, form.password.data):
            db.session.commit()
            flash(
                gettext("Your password has been changed. You are signed out everywhere else."),
                "success",
            )
            return redirect(url_for("account.home"))
        db.session.commit()
        form.current.errors.append(gettext("Your current password is not right"))
    return render_template("account/password.html", form=form)


@blueprint.route("/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    """End one of the person's other sessions."""
    form = EndSessionsForm()
    if not form.validate_on_submit():
        abort(400)
    if sessions.end_one(current_user, session_id):
        audit.record("session_ended", detail={"session": session_id})
        db.session.commit()
        flash(gettext("That session has ended."), "success")
    return redirect(url_for("account.home"))


@blueprint.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """End every session of the person's account but this one."""
    form = EndSessionsForm()
    if not form.validate_on_submit():
        abort(400)
    ended = sessions.end_all(current_user, "ended_by_owner", keep_current=True)
    audit.record("sessions_ended", detail={"count": ended})
    db.session.commit()
    flash(gettext("You are signed out everywhere else."), "success")
    return redirect(url_for("account.home"))


@blueprint.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up an authenticator app, or move to a new one (the current password is needed)."""
    if not has_local_password():
        abort(404)
    secret = session.get("account_new_secret") or second_factor.new_secret()
    session["account_new_secret"] = secret
    form = TwoFactorForm()
    if form.validate_on_submit():
        if not security.verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append(gettext("Your current password is not right"))
        else:
            codes = second_factor.set_up(current_user, secret, form.code.data)
            if codes is None:
                form.code.errors.append(
                    gettext("The code is not right. Check the key, then enter a new code")
                )
            else:
                sessions.end_all(current_user, "two_factor_changed", keep_current=True)
                db.session.commit()
                session.pop("account_new_secret", None)
                session["recovery_codes"] = codes
                return redirect(
                    url_for("account.recovery_codes_shown", next=url_for("account.home"))
                )
    uri = second_factor.uri(current_user, secret, current_app.config["SERVICE_NAME"])
    return render_template("account/two_factor.html", form=form, secret=secret, uri=uri)


@blueprint.route("/recovery-codes", methods=["GET", "POST"])
@login_required
def recovery_codes():
    """Make a new set of recovery codes (the old ones stop working)."""
    if not current_user.totp_secret or not has_local_password():
        abort(404)
    form = PasswordCheckForm()
    if form.validate_on_submit():
        if security.verify_password(current_user.password_hash, form.current.data):
            codes = second_factor.new_recovery_codes(current_user)
            audit.record("recovery_codes_replaced")
            db.session.commit()
            session["recovery_codes"] = codes
            return redirect(url_for("account.recovery_codes_shown", next=url_for("account.home")))
        form.current.errors.append(gettext("Your current password is not right"))
    return render_template("account/recovery_codes.html", form=form)


@blueprint.route("/recovery-codes/new")
@login_required
def recovery_codes_shown():
    """Show new recovery codes once: they are not kept anywhere they could be read again."""
    codes = session.pop("recovery_codes", None)
    next_url = safe_next_url(url_for("account.home"))
    if not codes:
        return redirect(next_url)
    return render_template("account/recovery_codes_shown.html", codes=codes, next_url=next_url)
