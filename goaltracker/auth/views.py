"""Signing in and out, and accepting an invitation."""

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_user, logout_user

from goaltracker import accounts, audit, policy
from goaltracker.auth.forms import SetPasswordForm, SignInForm
from goaltracker.extensions import db, limiter
from goaltracker.forms import safe_next_url

blueprint = Blueprint("auth", __name__)


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
            session.clear()
            session.permanent = True
            login_user(user)
            return redirect(safe_next_url(url_for(policy.home_endpoint(user))))
        form.password.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form)


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
