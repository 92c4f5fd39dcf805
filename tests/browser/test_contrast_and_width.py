"""Every control can be read (WCAG AA contrast) and no public page scrolls sideways on a phone.

Contrast is computed in Python from Chromium's computed styles: the text colour of each visible
link and button against the first opaque background behind it (4.5:1), and a filled button's
edge (its background or border) against the page behind it (3:1).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from certificates import consents, sharing
from services import demo as catalogue_demo
from services.models import Service
from tests.browser.conftest import sign_in
from tests.browser.test_wallet import _certificate_for
from tests.factories import PASSWORD, DepartmentFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/words")
TEXT_AA, CONTROL_AA = 4.5, 3.0

# For each visible control: its text colour, the opaque background behind its text, its own
# background and border colour, and the opaque background of its parent (what its edge meets).
CONTROLS_JS = """
() => {
  const opaque = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      const alpha = bg.startsWith('rgba') ? parseFloat(bg.split(',')[3]) : 1;
      if (alpha > 0.5) return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 2 && r.height > 2 && s.visibility !== 'hidden'
      && !el.closest('.visually-hidden, .skip-link');
  };
  return [...document.querySelectorAll('a[href], button, input[type=submit], .button')]
    .filter(shown)
    .map((el) => {
      const s = getComputedStyle(el);
      return {
        label: (el.innerText || el.value || '').trim().slice(0, 40),
        color: s.color, behind: opaque(el), own: s.backgroundColor,
        border: s.borderTopWidth !== '0px' && s.borderTopStyle !== 'none' ? s.borderTopColor : null,
        outside: opaque(el.parentElement),
      };
    });
}
"""


def _rgb(css: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in css[css.index("(") + 1 : css.index(")")].split(",")]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else 1.0)


def _luminance(css: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = _rgb(css)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def low_contrast(page) -> list[str]:
    """The controls on the page that fall below WCAG AA, described for the failure message."""
    failures = []
    for c in page.evaluate(CONTROLS_JS):
        own_filled = _rgb(c["own"])[3] > 0.5
        text_on = c["own"] if own_filled else c["behind"]
        ratio = contrast(c["color"], text_on)
        if ratio < TEXT_AA:
            failures.append(f"{c['label']!r}: text {c['color']} on {text_on} is {ratio:.2f}:1")
        if own_filled and contrast(c["own"], c["outside"]) < CONTROL_AA:
            edge = c["border"] or c["own"]
            edge_ratio = max(contrast(edge, c["outside"]), contrast(c["own"], c["outside"]))
            if edge_ratio < CONTROL_AA:
                failures.append(
                    f"{c['label']!r}: edge {edge} on {c['outside']} is {edge_ratio:.2f}:1"
                )
    return failures


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.fixture
def catalogue():
    from portal import demo

    demo.load()
    catalogue_demo.load()


def test_withdraw_buttons_on_the_certificate_page_reach_aa_contrast(new_page):
    person = PersonFactory(legal_name="张三", verified=True)
    certificate = _certificate_for(person)
    sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    consents.grant(
        certificate,
        by=person.user,
        department=DepartmentFactory(name="广州市市场监督管理局"),
        purpose="营业执照办理",
        case_reference="CASE-1",
    )
    page = new_page()
    page.goto(f"/wallet/{certificate.pk}/")
    sign_in(page, person.user.email, PASSWORD)
    withdraw = page.get_by_role("button", name="Withdraw")
    expect(withdraw.first).to_be_visible()
    assert withdraw.count() == 2
    shoot(page, "certificate-1280")
    assert low_contrast(page) == []


@pytest.mark.parametrize("path", ["/", "/services/", "/search/?q=yyzz", "/accounts/login/"])
def test_main_pages_reach_aa_contrast(new_page, catalogue, path):
    page = new_page()
    page.goto(path)
    assert low_contrast(page) == []


def test_disabled_buttons_reach_aa_contrast(new_page, catalogue):
    """The stylesheet's disabled controls, whichever page comes to show one (the demo guides
    show none now that booking and applying work): placed on a real page with its styles."""
    page = new_page()
    page.goto("/services/")
    page.evaluate(
        """() => {
            const main = document.querySelector("main") || document.body;
            const box = document.createElement("p");
            box.innerHTML = '<button type="button" disabled>预约办理</button> '
                + '<button type="button" class="button-secondary" disabled>网上申请</button> '
                + '<a class="button" aria-disabled="true">暂不可办</a>';
            main.prepend(box);
        }"""
    )
    assert page.locator("button[disabled]").count() == 2
    assert low_contrast(page) == []


PUBLIC_PAGES = [
    "/",
    "/services/",
    "/search/?q=yyzz",
    "/bundles/",
    "/accounts/login/",
    "/accounts/signup/",
    "/bundles/newborn/",
    "/bundles/open-restaurant/",
    "/accounts/password/reset/",
    "/accounts/password/reset/phone/",
    "/no-such-page/",
]


@pytest.mark.parametrize("width", [360, 390])
def test_no_public_page_scrolls_sideways_on_a_phone(new_page, catalogue, width):
    guides = [f"/services/{code}/" for code in Service.objects.values_list("code", flat=True)[:12]]
    page = new_page()
    page.set_viewport_size({"width": width, "height": 800})
    too_wide = {}
    for path in PUBLIC_PAGES + guides:
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide[path] = scroll_width
    page.goto(guides[0])
    shoot(page, f"guide-{width}")
    assert too_wide == {}
