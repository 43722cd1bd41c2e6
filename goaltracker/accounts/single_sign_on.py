"""Single sign-on for staff through their organisation's OpenID Connect provider.

Configured per installation by issuer, client id and secret (Microsoft Entra ID, or any provider
that publishes OpenID Connect discovery). The authorisation code flow uses PKCE and a nonce;
Authlib checks the ID token's signature against the provider's published keys, its issuer,
audience, expiry and nonce. Staff are matched by verified email to an account an administrator
created: no account is ever made on first sign-in, and families keep email and password.
"""

from dataclasses import dataclass

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app
from flask_babel import gettext
from joserfc.errors import JoseError

from goaltracker import audit
from goaltracker.accounts import STAFF_ROLES, find_user_by_email
from goaltracker.models import User, utcnow

# Authentication methods (RFC 8176) that mean the provider checked a second factor.
SECOND_FACTOR_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sms", "tel", "fpt", "face", "iris"})


class SingleSignOnError(Exception):
    """Signing in through the provider did not work; the message says why in plain words."""


def configured() -> bool:
    """Return whether single sign-on is set up for this installation."""
    config = current_app.config
    return bool(config["OIDC_ISSUER"] and config["OIDC_CLIENT_ID"])


def client():
    """Return the OpenID Connect client for the configured provider (made once per settings)."""
    config = current_app.config
    issuer = config["OIDC_ISSUER"].rstrip("/")
    key = (issuer, config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    clients = current_app.extensions.setdefault("goaltracker_single_sign_on", {})
    if key not in clients:
        clients[key] = OAuth(current_app._get_current_object()).register(
            "single_sign_on",
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
        )
    return clients[key]


def start(redirect_uri: str):
    """Return the redirect to the provider's sign-in page (with state, nonce and PKCE)."""
    sso = client()
    _check_discovery(sso)
    return sso.authorize_redirect(redirect_uri)


def _check_discovery(sso) -> None:
    """Refuse a provider whose discovery document names another issuer than configured."""
    try:
        metadata = sso.load_server_metadata()
    except (OSError, ValueError) as error:
        raise SingleSignOnError(
            gettext("The sign-in service could not be reached. Try again")
        ) from error
    configured_issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    if str(metadata.get("issuer", "")).rstrip("/") != configured_issuer:
        raise SingleSignOnError(gettext("The sign-in service did not identify itself correctly"))


@dataclass(frozen=True)
class SignedIn:
    """A member of staff the provider vouched for, and whether it checked a second factor."""

    user: User
    provider_checked_second_factor: bool


def finish() -> SignedIn:
    """Exchange the code for tokens, check the ID token and match a staff account by email."""
    sso = client()
    _check_discovery(sso)
    try:
        token = sso.authorize_access_token()
    except (OAuthError, JoseError, OSError, ValueError, KeyError) as error:
        audit.record("single_sign_on_failed", detail={"reason": type(error).__name__})
        raise SingleSignOnError(
            gettext("Signing in with your organisation's account did not work. Try again")
        ) from error
    claims = token.get("userinfo") or {}
    email = claims.get("email")
    if not email or claims.get("email_verified") is not True:
        audit.record("single_sign_on_failed", detail={"reason": "email_not_verified"})
        raise SingleSignOnError(
            gettext(
                "Your organisation's account did not give a verified email address. "
                "Ask your administrator"
            )
        )
    user = find_user_by_email(email)
    if user is None or user.role not in STAFF_ROLES or not user.active:
        audit.record(
            "single_sign_on_failed",
            user=user,
            detail={"reason": "no_staff_account", "email": email.lower()[:254]},
        )
        raise SingleSignOnError(
            gettext(
                "There is no staff account for this email address. "
                "Ask your administrator to invite you"
            )
        )
    methods = claims.get("amr") or []
    checked = isinstance(methods, list) and bool(SECOND_FACTOR_METHODS & set(methods))
    user.last_signed_in_at = utcnow()
    audit.record(
        "sign_in",
        user=user,
        detail={"method": "single_sign_on", "provider_second_factor": checked},
    )
    return SignedIn(user, checked)
