"""Every role's pages work on a small phone: at 320 and 390 px nothing scrolls sideways, every
form control has a label, and every control or standalone link is a 44 × 44 px touch target
(WCAG 2.5.5; links inside running text are exempt, docs/components.md).

One signed-in browser per role walks its pages (and the first detail page of each listing) in
Chinese, the default; the citizen and the department administrator also in English, whose words
run longer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import first_link, sign_in_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/phone")
WIDTHS = (320, 390)
TARGET_PX = 44

# For each role: its pages, and listings whose first link matching the pattern is opened too
# (None: the page found just before).
PAGES: dict[str, tuple[list[str], list[tuple[str | None, str]]]] = {
    "anon": (
        [
            "/",
            "/services/",
            "/bundles/",
            "/search/?q=营业执照",
            "/satisfaction/",
            "/open-data/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/no-such-page/",
        ],
        [("/services/", r"/services/[0-9A-Z]+/"), ("/bundles/", r"/bundles/[a-z-]+/")],
    ),
    "citizen": (
        [
            "/applications/",
            "/bookings/",
            "/wallet/",
            "/notifications/",
            "/profile/",
            "/accounts/2fa/",
            "/accounts/sessions/",
            "/accounts/email/",
            "/staff/statistics/",
        ],
        [
            ("/applications/", r"/applications/\d+/"),
            ("/wallet/", r"/wallet/\d+/"),
            ("/bookings/", r"/bookings/\d+/"),
            ("/services/?for=person", r"/services/[0-9A-Z]+/"),
            ("/profile/", r"/organisations/\d+/agents/"),
        ],
    ),
    "clerk": (
        [
            "/staff/",
            "/staff/counter/",
            "/staff/counter/new/",
            "/staff/counter/pickup/",
            "/staff/hall/",
            "/staff/hall/check-in/",
            "/staff/identify/",
        ],
        [("/staff/counter/", r"/staff/counter/\d+/")],
    ),
    "reviewer": (
        ["/staff/workbench/", "/staff/certificates/grants/", "/staff/rectifications/"],
        [("/staff/workbench/", r"/staff/workbench/cases/\d+/")],
    ),
    "deptadmin": (
        ["/staff/workbench/department/", "/staff/certificates/", "/staff/statistics/"],
        [
            ("/staff/certificates/", r"/staff/certificates/\d+/"),
            # The renew page's lead names the certificate's long identifier (no spaces).
            (None, r"/staff/certificates/\d+/renew/"),
            ("/staff/certificates/", r"/staff/certificates/issue/\d+/"),
        ],
    ),
}

# The error pages among them; every other page answers 200.
ERROR_PAGES = {("anon", "/no-such-page/"): 404, ("citizen", "/staff/statistics/"): 403}

# What a phone user would trip over on the page at the current width.
PROBLEMS_JS = """
(minTarget) => {
  const shown = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden';
  };
  const name = (el) => (el.innerText || el.value || el.name || el.tagName).trim().slice(0, 40);
  const unlabeled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
      && !el.getAttribute('aria-labelledby'))
    .map((el) => el.name || el.id || el.type);
  // A link drawn inline, inside a line of text, is exempt; every other control is a target.
  const controls = 'a[href], button, select, summary, '
    + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
  const small = [...document.querySelectorAll(controls)]
    .filter((el) => shown(el) && !el.closest('.skip-link, .visually-hidden'))
    .filter((el) => !(el.tagName === 'A' && getComputedStyle(el).display === 'inline'))
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.height < minTarget - 0.5 || r.width < minTarget - 0.5;
    })
    .map((el) => {
      const r = el.getBoundingClientRect();
      return `${name(el)} ${Math.round(r.width)}x${Math.round(r.height)}`;
    });
  return {
    width: document.documentElement.scrollWidth, viewport: window.innerWidth,
    unlabeled, small,
  };
}
"""


# Every role in Chinese (the default); English, whose words run longer, for two of them.
VISITS = [*((who, "zh-hans") for who in PAGES), ("citizen", "en"), ("deptadmin", "en")]


def _problems(page, who: str) -> dict[str, list[str]]:
    """The role's pages (and the first detail page of each listing) at every width."""
    if who != "anon":
        sign_in_demo(page, who)
    paths, listings = PAGES[who]
    paths = list(paths)
    for listing, pattern in listings:
        listing = listing or paths[-1]
        page.goto(listing)
        found = first_link(page, pattern)
        assert found, f"no link like {pattern} on {listing}"
        paths.append(found)

    problems: dict[str, list[str]] = {}
    for path in paths:
        page.set_viewport_size({"width": WIDTHS[-1], "height": 844})
        response = page.goto(path)
        assert response is not None, path
        assert response.status == ERROR_PAGES.get((who, path), 200), path
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            found = page.evaluate(PROBLEMS_JS, TARGET_PX)
            if found["width"] > found["viewport"]:
                problems.setdefault(path, []).append(f"{found['width']} px wide at {width} px")
            if found["unlabeled"]:
                problems.setdefault(path, []).append(f"unlabelled: {found['unlabeled']}")
            if found["small"]:
                problems.setdefault(path, []).append(f"small at {width} px: {found['small']}")
    return problems


# One test, so the demo data is loaded once for every role (the browser suite's time budget).
def test_every_roles_pages_fit_a_small_phone_with_labelled_controls_and_big_targets(
    new_page, demo, shoot
):
    problems = {}
    for who, language in VISITS:
        page = new_page(language)
        if found := _problems(page, who):
            problems[f"{who} {language}"] = found
        shoot(page, f"phone-{who}-{language}")
        page.context.close()
    assert problems == {}
