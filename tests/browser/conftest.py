"""Browser tests: Playwright's sync API drives Debian's Chromium against pytest-django's
``live_server``.

* Chromium is the distribution's (``apt-get install chromium``), never a Playwright download:
  the tests skip, saying so, when /usr/bin/chromium is missing.
* Playwright's sync API keeps an asyncio event loop running in the test thread, so Django
  refuses ORM calls from the test itself (factories, reading rows) unless
  ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. It is set only while a browser module runs (the
  Playwright fixture is module-scoped) and restored afterwards, so the rest of the suite in
  the same xdist worker keeps Django's async-safety check.
* Celery runs eagerly, in-process, for these tests (``eager_celery``): they are about the UI,
  and in the real-broker CI pass nothing would deliver the sign-up SMS to this process's
  ``portal.sms.outbox`` otherwise. The real worker is exercised by ``tests/worker``.
* Pages are requested in English (the ``django_language`` cookie the language switch sets;
  the site ignores Accept-Language for pages) so labels are stable; the keyboard and
  language-switch journeys start from the Chinese default on purpose.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home on a closed network.
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
SCREENSHOTS = Path(__file__).parent / "screenshots"
TIMEOUT_MS = 15_000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the item, so ``page`` can screenshot a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="module")
def playwright() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium package "
            "(apt-get install chromium); Playwright's own browsers are not used"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as pw:
            yield pw
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(playwright) -> Iterator[object]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Run tasks in the process (and thread) that queues them; see the module docstring."""
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def new_page(browser, live_server, eager_celery, request) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context (its own cookies) in the given language.

    Every page records Content-Security-Policy violations; the test fails if any occurred.
    """
    contexts = []
    csp_violations: list[str] = []
    for stale in SCREENSHOTS.glob(f"FAILED-{screenshot_path(request.node.name).stem}-*.png"):
        stale.unlink()

    def open_page(language: str | None = "en"):
        """``language=None`` leaves the choice to the site: Simplified Chinese."""
        from django.conf import settings

        context = browser.new_context(
            base_url=live_server.url,
            locale="en-US" if language == "en" else "zh-CN",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        if language:
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
            ),
        )
        return page

    yield open_page

    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(
                    path=screenshot_path(f"FAILED-{request.node.name}-{n}-{m}"), full_page=True
                )
    for context in contexts:
        context.close()
    assert not csp_violations, f"Content-Security-Policy violations: {csp_violations}"


@pytest.fixture
def page(new_page):
    """An English page on the live server."""
    return new_page()


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"


@pytest.fixture
def screenshot(request) -> Callable[[object, str], Path]:
    """``screenshot(page, "step")`` saves tests/browser/screenshots/<test>-<step>.png."""

    def take(page, step: str) -> Path:
        path = screenshot_path(f"{request.node.name}-{step}")
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def shoot(request, screenshot) -> Callable[[object, str], None]:
    """``shoot(page, "name")``: screenshots at 1280 and 390 px, copied into the test module's
    ``SHOTS`` folder as well; at 390 px the page must not scroll sideways."""
    shots = Path(request.module.SHOTS)

    def both(page, name: str) -> None:
        shots.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        shutil.copy(screenshot(page, f"{name}-1280"), shots / f"{name}-1280.png")
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        shutil.copy(screenshot(page, f"{name}-390"), shots / f"{name}-390.png")
        page.set_viewport_size({"width": 1280, "height": 900})

    return both


def sign_in(page, login: str, password: str) -> None:
    """Fill in allauth's sign-in form (English labels): e-mail or mobile number, password."""
    page.get_by_label(re.compile(r"^Login:?$")).fill(login)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()


@pytest.fixture
def demo(settings) -> None:
    """``manage.py demo``'s data, staff signing in without a second factor."""
    from django.core.management import call_command

    settings.STAFF_MFA_REQUIRED = False
    call_command("demo", stdout=io.StringIO())


def first_link(page, pattern: str) -> str | None:
    """The first link on the page whose path (query left out) matches the pattern."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return next((h for h in hrefs if re.fullmatch(pattern, (h or "").split("?")[0])), None)


DEMO_PASSWORD = "OneWindow-2026"  # the demo accounts' (portal/demo.py)


def sign_in_demo(page, who: str) -> None:
    """Sign in as a demo account (citizen, clerk, ...) in any language of the page."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", f"{who}@demo.onewindow")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
