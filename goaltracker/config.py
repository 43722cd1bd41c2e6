"""Configuration: safe defaults, then environment variables, then instance/config.py."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def normalise_database_url(url: str) -> str:
    """Return the URL with the psycopg 3 driver named, as PostgreSQL URLs often omit it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret_key(instance_path: str) -> str:
    """Return the instance's secret key, creating it (readable only by its owner) on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def environment_name() -> str:
    """Return the deployment environment: `production` unless told otherwise."""
    return os.environ.get("GOALTRACKER_ENV", "production")


def defaults(instance_path: str) -> dict:
    """Return the configuration before instance/config.py and test overrides."""
    env = environment_name()
    idle = timedelta(minutes=int(os.environ.get("GOALTRACKER_SESSION_MINUTES", "30")))
    database_url = os.environ.get(
        "DATABASE_URL", "sqlite:///" + str(Path(instance_path) / "goaltracker.sqlite")
    )
    return {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env != "development",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env != "development",
        # Sessions end on the server after this long without use (see accounts.sessions).
        "SESSION_IDLE_TIMEOUT": idle,
        # The browser keeps the (signed) session cookie an hour longer than the idle time-out,
        # so that a form sent just after the session ended can still be kept for its owner.
        "PERMANENT_SESSION_LIFETIME": idle + timedelta(hours=1),
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("GOALTRACKER_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Requests per API key (or per address without one).
        "API_RATE_LIMIT": os.environ.get("GOALTRACKER_API_RATE_LIMIT", "600 per minute"),
        # Requests per address to pages that take a token or a code (invitations, resets).
        "SIGN_IN_RATE_LIMIT": os.environ.get(
            "GOALTRACKER_SIGN_IN_RATE_LIMIT", "10 per minute;50 per hour"
        ),
        # Failed sign-ins allowed before a wait: per email address typed, and per address.
        "SIGN_IN_FAILURES_PER_ACCOUNT": os.environ.get(
            "GOALTRACKER_SIGN_IN_FAILURES_PER_ACCOUNT", "5 per 15 minutes"
        ),
        "SIGN_IN_FAILURES_PER_ADDRESS": os.environ.get(
            "GOALTRACKER_SIGN_IN_FAILURES_PER_ADDRESS", "50 per 15 minutes"
        ),
        # How many proxies in front of the app set X-Forwarded-For (0: none, trust no header).
        "TRUSTED_PROXIES": int(os.environ.get("GOALTRACKER_TRUSTED_PROXIES", "0")),
        # Single sign-on for staff through an OpenID Connect provider (off when no issuer).
        "OIDC_ISSUER": os.environ.get("GOALTRACKER_OIDC_ISSUER", ""),
        "OIDC_CLIENT_ID": os.environ.get("GOALTRACKER_OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": os.environ.get("GOALTRACKER_OIDC_CLIENT_SECRET", ""),
        "OIDC_PROVIDER_NAME": os.environ.get("GOALTRACKER_OIDC_PROVIDER_NAME", "your organisation"),
        "MAIL_BACKEND": os.environ.get("GOALTRACKER_MAIL_BACKEND", "console"),
        "MAIL_FROM": os.environ.get("GOALTRACKER_MAIL_FROM", "goal-tracker@localhost"),
        "SMTP_HOST": os.environ.get("GOALTRACKER_SMTP_HOST", "localhost"),
        "SMTP_PORT": int(os.environ.get("GOALTRACKER_SMTP_PORT", "25")),
        "SMTP_USERNAME": os.environ.get("GOALTRACKER_SMTP_USERNAME"),
        "SMTP_PASSWORD": os.environ.get("GOALTRACKER_SMTP_PASSWORD"),
        "SMTP_STARTTLS": os.environ.get("GOALTRACKER_SMTP_STARTTLS", "1") == "1",
        # Uploads larger than the import's limit are refused before they are read.
        "MAX_CONTENT_LENGTH": 51 * 1024 * 1024,
        "INVITATION_DAYS": int(os.environ.get("GOALTRACKER_INVITATION_DAYS", "7")),
        "SERVICE_NAME": "Goal Tracker",
        # Where people reach the service: links in emails sent by scheduled commands use it.
        "PUBLIC_URL": os.environ.get("GOALTRACKER_PUBLIC_URL", "http://127.0.0.1:5000"),
        # Roles that must use a code from an authenticator app as well as a password.
        "TWO_FACTOR_ROLES": os.environ.get(
            "GOALTRACKER_TWO_FACTOR_ROLES", "" if env == "development" else "manager,admin"
        ),
    }
