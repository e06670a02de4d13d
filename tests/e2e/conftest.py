"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Each test gets a fresh browser context on pytest-django's live server, and
``assert_accessible(page)`` runs axe-core on the current page.
"""

import os
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.auth import authenticator_for
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"No Chromium at {CHROMIUM}: run `make test`, which installs it, or set CHROMIUM_PATH.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.console_errors = errors
    yield page
    context.close()


_axe = Axe()


def assert_accessible(page) -> None:
    """Zero axe-core violations (WCAG 2.2 A and AA rules and best practice) on the current page."""
    results = _axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in as a person would: password, then the code their authenticator app shows.

    The person gets an authenticator app (a confirmed TOTP device) if they have
    none; the code is worked out from its key, as the phone would.
    """
    from accounts.models import User

    device = authenticator_for(User.objects.get(email=email))
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.get_by_label("Code").fill(next_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def next_code(device) -> str:
    """A code the device will accept: each time step's code works once, so wait for a fresh one."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while device.last_t is not None and totp.t() <= device.last_t:
        time.sleep(1)
    return f"{totp.token():0{device.digits}d}"
