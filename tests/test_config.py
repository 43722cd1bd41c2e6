"""The application factory and its configuration."""

import stat

from goaltracker import config, create_app


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["MAIL_BACKEND"] == "memory"


def test_production_defaults_are_safe(monkeypatch, tmp_path):
    monkeypatch.delenv("GOALTRACKER_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = config.defaults(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert settings["SQLALCHEMY_DATABASE_URI"].endswith("goaltracker.sqlite")
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["MAIL_BACKEND"] == "console"


def test_development_allows_plain_http_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("GOALTRACKER_ENV", "development")
    assert config.defaults(str(tmp_path))["SESSION_COOKIE_SECURE"] is False


def test_secret_key_is_made_once_and_kept_private(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.defaults(str(tmp_path))["SECRET_KEY"]
    second = config.defaults(str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) >= 32
    mode = (tmp_path / "secret_key").stat().st_mode
    assert not mode & (stat.S_IRGRP | stat.S_IROTH)


def test_environment_variables_override_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db/goals")
    monkeypatch.setenv("GOALTRACKER_RATELIMIT_STORAGE", "redis://127.0.0.1:6379")
    settings = config.defaults(str(tmp_path))
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db/goals"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"


def test_test_config_overrides_everything():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_FROM": "x@y"})
    assert app.config["MAIL_FROM"] == "x@y"
    assert app.testing


def test_security_headers_are_sent(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert "<script>" not in html
    assert 'type="module" src="/static/app.mjs"' in html


def test_pages_carry_no_gov_uk_branding(client):
    html = client.get("/").get_data(as_text=True)
    assert "govuk-header__logotype" not in html
    assert "Crown copyright" not in html
    assert "GOV.UK" not in html
    assert "Goal Tracker" in html
