"""A live server with the demo data, and Debian's Chromium driven by Playwright."""

import os
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from hcimv_lc import create_app
from hcimv_lc import seed as demo
from hcimv_lc.badges.keys import create_key

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]


@pytest.fixture(autouse=True)
def clean_database():
    """Browser tests share one seeded database; they leave it as they need it."""
    yield


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "browser.sqlite"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "MAIL_BACKEND": "memory",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "RATELIMIT_STORAGE_URI": "memory://",
            "UPLOAD_FOLDER": str(path.parent / "uploads"),
            "BADGE_KEY_PATH": str(path.parent / "badge.pem"),
        }
    )
    create_key(Path(app.config["BADGE_KEY_PATH"]))
    with app.app_context():
        upgrade()
        demo.load(demo_accounts=True)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"

    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing at /usr/bin/chromium; CI must install it")
        pytest.skip(
            "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        )

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def viewport():
    return PHONE


@pytest.fixture
def page(browser, viewport):
    """A fresh browser context; fails the test on a script error or CSP report."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type == "error" else None
        ),
    )
    yield page

    context.close()
    # A test that provokes a refusal names the answers it expects: expected_errors.
    expected = getattr(page, "expected_errors", ())
    assert [text for text in problems if not text.endswith(expected)] == []


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("form button[type=submit]:has-text('Inloggen')")
    page.wait_for_url(f"{base_url}/")
