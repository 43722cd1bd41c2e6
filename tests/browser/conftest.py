"""A live server with the demo area, and headless Chromium driven by Playwright.

The tests are skipped, with the reason shown, when Chromium or Playwright is missing.
They use their own SQLite database whichever database the rest of the suite runs on, because
the live server runs in another thread with its own connections.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from goaltracker import create_app, demo
from goaltracker.extensions import db
from tests.conftest import TEST_CONFIG

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
# The narrowest phone WCAG 1.4.10 asks pages to reflow at, and a desktop.
PHONE = {"width": 320, "height": 720}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Return the Chromium executable, if one is installed."""
    return os.environ.get("GOALTRACKER_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session", params=[PHONE, DESKTOP], ids=["320px", "1280px"])
def viewport(request):
    """Every journey runs twice: on a 320-pixel phone, then at 1280 pixels."""
    return request.param


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, viewport):
    """Serve the app with a fresh demo area on a free local port, once for each width."""
    database = tmp_path_factory.mktemp("browser") / "browser.sqlite"
    config = {key: value for key, value in TEST_CONFIG.items() if key != "SERVER_NAME"}
    config.update(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "WTF_CSRF_ENABLED": True,
            "SIGN_IN_RATE_LIMIT": "1000 per minute",
        }
    )
    app = create_app(config)
    with app.app_context():
        upgrade()
        demo.seed()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Start headless Chromium once, or skip with the reason."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium): browser tests skipped")
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci): browser tests skipped")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
