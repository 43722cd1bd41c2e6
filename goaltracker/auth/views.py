"""Signing in and out (with a code for the roles that need one), and accepting an invitation."""

import time

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_user, logout_user

from goaltracker import accounts, audit, policy
from goaltracker.auth.forms import CodeForm, SetPasswordForm, SignInForm
from goaltracker.extensions import db, limiter
from goaltracker.forms import safe_next_url
from goaltracker.models import User

blueprint = Blueprint("auth", __name__)

PENDING_SECONDS = 600


def sign_in_limit() -> str:
    """Return the configured sign-in rate limit."""
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@blueprint.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def sign_in():
    """Show the sign-in form and sign people in."""
    if current_user.is_authenticated:
        return redirect(url_for(policy.home_endpoint(current_user)))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is not None:
            next_url = safe_next_url(url_for(policy.home_endpoint(user)))
            session.clear()
            session.permanent = True
            if accounts.two_factor_required(user, current_app.config["TWO_FACTOR_ROLES"]):
                session["pending"] = {"user_id": user.id, "at": time.time(), "next": next_url}
                if user.totp_secret:
                    return redirect(url_for("auth.two_factor"))
                return redirect(url_for("auth.two_factor_setup"))
            login_user(user)
            return redirect(next_url)
        form.password.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form)


def pending_user() -> User | None:
    """Return the user who gave a right password in the last ten minutes and owes a code."""
    pending = session.get("pending")
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user_id"))
    return user if user is not None and user.active else None


def finish_sign_in(user: User):
    """Sign in a user who has given both their password and a code."""
    next_url = session["pending"]["next"]
    session.clear()
    session.permanent = True
    login_user(user)
    return redirect(next_url)


@blueprint.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def two_factor():
    """Ask for the code from the authenticator app."""
    user = pending_user()
    if user is None or not user.totp_secret:
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        if accounts.code_matches(user.totp_secret, form.code.data):
            audit.record("two_factor_passed", user=user)
            db.session.commit()
            return finish_sign_in(user)
        audit.record("two_factor_failed", user=user)
        db.session.commit()
        form.code.errors.append("The code is not right. Enter the code your app shows now")
    return render_template("auth/two_factor.html", form=form)


@blueprint.route("/sign-in/set-up-code", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def two_factor_setup():
    """Set up an authenticator app, which managers and administrators must use."""
    user = pending_user()
    if user is None or user.totp_secret:
        return redirect(url_for("auth.sign_in"))
    secret = session.setdefault("new_secret", accounts.new_two_factor_secret())
    form = CodeForm()
    if form.validate_on_submit():
        if accounts.code_matches(secret, form.code.data):
            user.totp_secret = secret
            audit.record("two_factor_set_up", user=user)
            db.session.commit()
            return finish_sign_in(user)
        form.code.errors.append("The code is not right. Check the key, then enter a new code")
    uri = accounts.two_factor_uri(user, secret, current_app.config["SERVICE_NAME"])
    return render_template("auth/two_factor_setup.html", form=form, secret=secret, uri=uri)


@blueprint.route("/sign-out", methods=["POST"])
def sign_out():
    """Sign out and forget the session."""
    if current_user.is_authenticated:
        audit.record("sign_out")
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def accept_invitation(token: str):
    """Let an invited family member set a password and start using the service."""
    invitation, problem = accounts.invitation_for_token(token)
    if invitation is None:
        status = 404 if problem == "not_found" else 410
        return render_template("auth/invitation_unusable.html", problem=problem), status
    form = SetPasswordForm(email=invitation.email)
    if form.validate_on_submit():
        user = accounts.accept_invitation(invitation, form.password.data)
        db.session.commit()
        logout_user()
        session.clear()
        session.permanent = True
        login_user(user)
        flash("Your account is ready.", "success")
        return redirect(url_for(policy.home_endpoint(user)))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)
