"""Signing in and out, second factors, forgotten passwords and accepting invitations."""

import time

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
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from goaltracker import audit, mail, policy
from goaltracker.accounts import (
    AccountError,
    invitations,
    passwords,
    saved_forms,
    sessions,
    throttle,
)
from goaltracker.accounts import single_sign_on as single_sign_on_module
from goaltracker.accounts import two_factor as second_factor
from goaltracker.auth.forms import (
    CodeForm,
    ConfirmForm,
    ForgottenPasswordForm,
    SetPasswordForm,
    SignInForm,
)
from goaltracker.extensions import db, limiter
from goaltracker.forms import safe_next_url
from goaltracker.models import User

blueprint = Blueprint("auth", __name__)

PENDING_SECONDS = 600


def sign_in_limit() -> str:
    """Return the configured limit on requests to pages that take a token or a code."""
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def complete_sign_in(user: User, next_url: str, method: str = "password"):
    """Start a new server-side session for the user and send them on."""
    session.clear()
    session.permanent = True
    login_user(user)
    sessions.start(user, method)
    if saved_forms.any_kept(user):
        session[saved_forms.PENDING_KEY] = True
    db.session.commit()
    return redirect(next_url)


def begin_sign_in(
    user: User, next_url: str, *, code_needed: bool | None = None, method: str = "password"
):
    """Ask for the second factor when the account needs one, otherwise sign in."""
    if code_needed is None:
        code_needed = second_factor.required(user, current_app.config["TWO_FACTOR_ROLES"])
    if not code_needed:
        return complete_sign_in(user, next_url, method)
    session.clear()
    session.permanent = True
    session["pending"] = {
        "user_id": user.id,
        "at": time.time(),
        "next": next_url,
        "method": method,
    }
    if user.totp_secret:
        return redirect(url_for("auth.two_factor"))
    return redirect(url_for("auth.two_factor_setup"))


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Show the sign-in form and sign people in."""
    if current_user.is_authenticated:
        return redirect(url_for(policy.home_endpoint(current_user)))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        wait = throttle.wait_before_trying(form.email.data)
        if wait is not None:
            form.password.errors.append(wait.message())
            status = 429
        else:
            user = passwords.authenticate(form.email.data, form.password.data)
            db.session.commit()
            if user is not None:
                return begin_sign_in(user, safe_next_url(url_for(policy.home_endpoint(user))))
            throttle.failed(form.email.data)
            form.password.errors.append(gettext("Enter a correct email address and password"))
    return render_template("auth/sign_in.html", form=form), status


def pending_user() -> User | None:
    """Return the user who gave a right password in the last ten minutes and owes a code."""
    pending = session.get("pending")
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user_id = pending.get("user_id")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.active else None


def finish_pending(user: User):
    """Sign in a user who has given both their password and a code."""
    pending = session["pending"]
    return complete_sign_in(user, pending["next"], pending.get("method", "password"))


@blueprint.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def two_factor():
    """Ask for the code from the authenticator app, or one of the recovery codes."""
    user = pending_user()
    if user is None or not user.totp_secret:
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        wait = throttle.wait_before_trying(user.email)
        if wait is not None:
            form.code.errors.append(wait.message())
            status = 429
        elif second_factor.verify(user, form.code.data):
            audit.record("two_factor_passed", user=user)
            return finish_pending(user)
        elif second_factor.use_recovery_code(user, form.code.data):
            flash(
                gettext(
                    "You signed in with a recovery code, which now cannot be used again. "
                    "You have %(count)s left.",
                    count=second_factor.recovery_codes_left(user),
                ),
                "info",
            )
            return finish_pending(user)
        else:
            audit.record("two_factor_failed", user=user)
            db.session.commit()
            throttle.failed(user.email)
            form.code.errors.append(
                gettext(
                    "The code is not right. Enter the code your app shows now, "
                    "or one of your recovery codes"
                )
            )
    return render_template("auth/two_factor.html", form=form), status


@blueprint.route("/sign-in/set-up-code", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def two_factor_setup():
    """Set up an authenticator app, which the roles that need a code must use."""
    user = pending_user()
    if user is None or user.totp_secret:
        return redirect(url_for("auth.sign_in"))
    secret = session.setdefault("new_secret", second_factor.new_secret())
    form = CodeForm()
    if form.validate_on_submit():
        codes = second_factor.set_up(user, secret, form.code.data)
        if codes is not None:
            response = finish_pending(user)
            session["recovery_codes"] = codes
            return redirect(url_for("account.recovery_codes_shown", next=response.location))
        form.code.errors.append(
            gettext("The code is not right. Check the key, then enter a new code")
        )
    uri = second_factor.uri(user, secret, current_app.config["SERVICE_NAME"])
    return render_template("auth/two_factor_setup.html", form=form, secret=secret, uri=uri)


@blueprint.route("/sign-in/organisation")
@limiter.limit(sign_in_limit)
def single_sign_on():
    """Send a member of staff to their organisation's sign-in page."""
    if not single_sign_on_module.configured():
        abort(404)
    session["single_sign_on_next"] = safe_next_url("")
    try:
        return single_sign_on_module.start(url_for("auth.single_sign_on_callback", _external=True))
    except single_sign_on_module.SingleSignOnError as error:
        flash(str(error), "info")
        return redirect(url_for("auth.sign_in"))


@blueprint.route("/sign-in/organisation/callback")
@limiter.limit(sign_in_limit)
def single_sign_on_callback():
    """Finish signing in a member of staff whom their organisation's provider vouched for."""
    if not single_sign_on_module.configured():
        abort(404)
    next_url = session.pop("single_sign_on_next", "")
    try:
        signed_in = single_sign_on_module.finish()
    except single_sign_on_module.SingleSignOnError as error:
        db.session.commit()
        flash(str(error), "info")
        return redirect(url_for("auth.sign_in"))
    db.session.commit()
    user = signed_in.user
    # The provider's own second factor counts; otherwise the account's rules apply as ever.
    code_needed = (
        False
        if signed_in.provider_checked_second_factor
        else second_factor.required(user, current_app.config["TWO_FACTOR_ROLES"])
    )
    return begin_sign_in(
        user,
        next_url or url_for(policy.home_endpoint(user)),
        code_needed=code_needed,
        method="single_sign_on",
    )


@blueprint.route("/sign-out", methods=["POST"])
def sign_out():
    """Sign out: the server-side session ends, so a copy of the cookie no longer works."""
    if current_user.is_authenticated:
        sessions.end_current("signed_out")
        audit.record("sign_out")
        db.session.commit()
    logout_user()
    session.clear()
    flash(gettext("You have signed out."), "success")
    return redirect(url_for("auth.sign_in"))


@blueprint.route("/forgotten-password", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def forgotten_password():
    """Send a reset link; the answer is the same whether or not the address has an account."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        requested = passwords.request_reset(form.email.data)
        db.session.commit()
        if requested.token is not None:
            link = url_for("auth.reset_password", token=requested.token, _external=True)
            mail.send_or_log(
                requested.user.email,
                gettext("Set a new password for Goal Tracker"),
                render_template("email/password_reset.txt", user=requested.user, link=link),
            )
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgotten_password.html", form=form)


@blueprint.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def reset_password(token: str):
    """Set a new password from an emailed link; every session of the account ends."""
    reset, problem = passwords.reset_for_token(token)
    if reset is None:
        status = 404 if problem == "not_found" else 410
        return render_template("auth/link_unusable.html", problem=problem, kind="reset"), status
    form = SetPasswordForm(email=reset.user.email)
    form.submit.label.text = gettext("Set new password")
    if form.validate_on_submit():
        passwords.reset_password(reset, form.password.data)
        db.session.commit()
        logout_user()
        session.clear()
        flash(gettext("Your password has been changed. Sign in with your new password."), "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form, user=reset.user)


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def accept_invitation(token: str):
    """Accept an invitation: a new account sets its password; an existing one signs in first."""
    invitation, problem = invitations.invitation_for_token(token)
    if invitation is None:
        status = 404 if problem == "not_found" else 410
        return render_template(
            "auth/link_unusable.html", problem=problem, kind="invitation"
        ), status
    if invitations.what_accepting_needs(invitation) == invitations.SIGN_IN:
        return accept_as_existing_account(invitation, token)
    form = SetPasswordForm(email=invitation.email)
    if form.validate_on_submit():
        user = invitations.accept_with_new_password(invitation, form.password.data)
        db.session.commit()
        logout_user()
        response = begin_sign_in(user, url_for(policy.home_endpoint(user)))
        flash(gettext("Your account is ready."), "success")
        return response
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)


def accept_as_existing_account(invitation, token: str):
    """Ask the owner of an existing account to sign in as themselves and accept."""
    here = url_for("auth.accept_invitation", token=token)
    signed_in_as_owner = (
        current_user.is_authenticated
        and invitations.invited_account(invitation) is not None
        and invitations.invited_account(invitation).id == current_user.id
    )
    form = ConfirmForm()
    if signed_in_as_owner and form.validate_on_submit():
        try:
            invitations.accept_signed_in(invitation, current_user)
        except AccountError as error:
            db.session.rollback()
            flash(str(error), "info")
            return redirect(here)
        db.session.commit()
        if invitation.child is not None:
            flash(
                gettext(
                    "%(name)s's record is now on your account.",
                    name=invitation.child.display_name,
                ),
                "success",
            )
        return redirect(url_for(policy.home_endpoint(current_user)))
    return render_template(
        "auth/accept_existing.html",
        invitation=invitation,
        form=form,
        signed_in_as_owner=signed_in_as_owner,
        sign_in_url=url_for("auth.sign_in", next=here),
    )
