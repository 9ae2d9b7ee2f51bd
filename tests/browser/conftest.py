"""Playwright fixtures: a live server and one Chromium for the session.

Browser tests skip, saying why, when Chromium (or the Playwright package) is
missing, unless REQUIRE_SERVICES=1 (CI), where a missing browser is a
failure. We never download a browser: set CHROMIUM_PATH to use another one.
"""

import os
from pathlib import Path

import pytest

from tests.worker import unavailable

# Playwright's sync API runs an event loop in this thread; Django would then
# refuse ORM calls from the test body, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(path).exists():
        unavailable(f"Chromium not found at {path}; set CHROMIUM_PATH")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # Sharper screenshots when someone is going to look at them.
    scale = 2 if os.environ.get("SCREENSHOT_DIR") else 1
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, device_scale_factor=scale
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(live_server, page):
    """Return a function that signs a user in through the real login form."""

    def sign_in(user, password):
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return sign_in
