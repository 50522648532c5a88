"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's
``live_server``. Playwright never downloads a browser here: it launches
/usr/bin/chromium. Run them alone with ``pytest -m browser``."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from django.db import connections
from playwright.sync_api import Page, expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django would then
# refuse database calls from the test body (they are not async here).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    assert shutil.which(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        yield browser
        browser.close()


PASSWORD = "secret-pass-1"  # tests/factories.py UserFactory's password
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def open_as(browser, live_server):
    """``open_as(username, viewport=PHONE)``: a page logged in through the log-in page, in English."""
    contexts = []

    def open_as(username: str, viewport: dict = PHONE) -> Page:
        context = browser.new_context(viewport=viewport, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def phone(browser):
    """A page 360 px wide, as on a small phone, in English."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US", device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def off_the_event_loop(work):
    """Run ``work`` in its own thread and return its result: pyHanko signs and
    validates with ``asyncio.run``, which cannot run in the test's thread while
    Playwright's event loop does."""
    results: list = []

    def run() -> None:
        try:
            results.append(work())
        finally:
            connections.close_all()  # the thread's own connections; a left one blocks dropping the test database

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert results, "the work failed; see the traceback above"
    return results[0]


def fits_the_screen(page, width: int = 360) -> bool:
    """Nothing on the page is wider than the screen (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") <= width
