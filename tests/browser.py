"""Debian's Chromium driven by Playwright, for tests of the pages people use."""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Skipped only on a developer machine without Chromium; CI (CI=true) installs it, so there the tests must run.
# scripts/test.sh runs them once, on PostgreSQL, and sets MINPING_SKIP_BROWSER for the SQLite run.
needs_chromium = pytest.mark.skipif(
    os.environ.get("MINPING_SKIP_BROWSER") or (not os.path.exists(CHROMIUM) and not os.environ.get("CI")),
    reason="Debian's chromium is not installed, or the browser tests run on the other database",
)


class ChromiumMixin:
    """One browser for the test class (a LiveServerTestCase)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()


PASSWORD = "secret-pass-1"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def jpeg(colour=(30, 140, 60)) -> bytes:
    """A small photo, as a phone's camera would hand it to an upload field."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (160, 120), colour).save(out, "JPEG")
    return out.getvalue()


def log_in(browser, live_server_url: str, username: str, **options):
    """A new browser context logged in as `username` (password PASSWORD), on the page the login lands on."""
    page = browser.new_context(**options).new_page()
    page.goto(live_server_url + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button.primary")
    return page
