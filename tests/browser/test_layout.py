"""Every page type, as every role: no sideways scrolling at 320 px, nothing lost at 200% text,
axe-core WCAG 2.1 A/AA clean (WCAG 1.4.10 reflow, 1.4.4 resize text)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations

COURSE = "social-activation-basics"
ACCOUNTS = {
    "learner": ("learner@demo.2sokrog.eu", "zelena-lipa-ob-potoku"),
    "trainer": ("trainer@demo.2sokrog.eu", "modra-reka-pod-mostom"),
    "hr": ("hr@demo.2sokrog.eu", "rumeno-polje-za-hribom"),
    "admin": ("admin@demo.2sokrog.eu", "sivi-kamen-na-vrhu"),
}
LEARNER_PAGES = [
    "/",
    "/courses/",
    f"/courses/{COURSE}/",
    f"/courses/{COURSE}/lessons/what-is-social-activation",
    "/my/learning",
    "/my/competences",
    "/my/certificates",
    "/account",
    "/accessibility",
]
PAGES = {
    None: ["/login", "/verify", "/verify/0000000000000000", "/issuers/csd-lasko", "/accessibility"],
    "learner": LEARNER_PAGES,
    "trainer": [
        "/",
        "/quiz/grading",
        "/authoring/",
        f"/courses/{COURSE}/quiz/attempts",
        f"/courses/{COURSE}/quiz/statistics",
        f"/courses/{COURSE}/progress",
        "/certificates/issue",
    ],
    "hr": [
        "/",
        "/hr/matrix",
        "/hr/assignments",
        "/hr/assessors",
        "/hr/certificates",
        "/exports",
        "/admin/job-roles",
        "/admin/job-roles/1",
    ],
    "admin": [
        "/",
        "/admin/users",
        "/admin/users/new",
        "/admin/users/import",
        "/admin/jobs",
        "/admin/outbox",
        "/issuers/bistra-ptuj",
        "/reports/summary",
        "/hr/matrix",
        "/admin/institution",
        "/admin/job-roles/1",
        "/admin/job-roles/new",
    ],
}

# Elements wider than the window, outside the scroll regions that data tables may have
# (WCAG 1.4.10 allows two-dimensional tables to scroll inside their own region).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (element.closest('.table-wrap, .visually-hidden, .vh')) continue;
    const box = element.getBoundingClientRect();
    if (box.width && box.right > width + 1) {  // off to the left (the skip link) scrolls nothing
      found.push(element.tagName.toLowerCase() + (element.className ? '.' + element.className : '')
                 + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, found: found.slice(0, 5)};
}"""


def _context(browser, live_server, role, width, language="sl"):
    context = browser.new_context(
        base_url=live_server, locale=language, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    if role:
        log_in(page, *ACCOUNTS[role])
    return context, page


def _overflows(page, paths) -> dict[str, dict]:
    problems = {}
    for path in paths:
        response = page.goto(path)
        # Each page is the real one, not a refusal; an unknown code's page is a 404 by design.
        assert response.status == (404 if path.startswith("/verify/") else 200), path
        measured = page.evaluate(OVERFLOW)
        if measured["scroll"] > measured["width"] or measured["found"]:
            problems[path] = measured
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role or "anonymous")
def test_no_page_scrolls_sideways_at_320_px(browser, live_server, role):
    context, page = _context(browser, live_server, role, 320)
    try:
        assert _overflows(page, PAGES[role]) == {}
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role or "anonymous")
def test_nothing_is_lost_at_200_percent_text(browser, live_server, role):
    """Text twice as large (the browser's text zoom, not page zoom) on a 1280 px window: the
    navigation stays reachable and nothing runs off the side."""
    context, page = _context(browser, live_server, role, 1280)
    try:
        problems = {}
        for path in PAGES[role]:
            page.goto(path)
            # Through the CSSOM: the site's Content-Security-Policy refuses injected <style>.
            page.evaluate("document.documentElement.style.fontSize = '200%'")
            measured = page.evaluate(OVERFLOW)
            if measured["scroll"] > measured["width"] or measured["found"]:
                problems[path] = measured
            for link in page.locator("header nav a").all():
                if not link.is_visible():
                    page.locator(".menu-button").click()
                assert link.is_visible(), (path, link.inner_text())
                box = link.bounding_box()
                assert box["x"] >= 0
                assert box["x"] + box["width"] <= 1281
        assert problems == {}
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize("role", [role for role in PAGES if role])
@pytest.mark.parametrize("language", ["sl", "hr"])
def test_every_page_type_of_every_role_has_no_wcag_violations(browser, live_server, role, language):
    context, page = _context(browser, live_server, role, 1280, language)
    try:
        found = {}
        for path in PAGES[role]:
            response = page.goto(path)
            assert response.status == (404 if path.startswith("/verify/") else 200), path
            found[path] = violations(page)
        assert {path: items for path, items in found.items() if items} == {}
    finally:
        context.close()


def test_the_menu_button_opens_the_navigation_on_a_small_screen(browser, live_server):
    context, page = _context(browser, live_server, "hr", 320)
    try:
        page.goto("/hr/matrix")
        button = page.locator(".menu-button")
        assert button.is_visible()
        assert button.get_attribute("aria-expanded") == "false"
        matrix_link = page.locator("header nav a[href='/hr/assignments']")
        assert not matrix_link.is_visible()
        button.focus()
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true"
        assert matrix_link.is_visible()
        page.keyboard.press("Escape")
        assert button.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    finally:
        context.close()


def test_data_tables_scroll_in_their_own_keyboard_region(browser, live_server):
    context, page = _context(browser, live_server, "hr", 320)
    try:
        page.goto("/hr/matrix")
        region = page.locator(".table-wrap").first
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("aria-labelledby") or region.get_attribute("aria-label")
        region.focus()
        before = region.evaluate("element => element.scrollLeft")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "([element, before]) => element.scrollLeft > before",
            arg=[region.element_handle(), before],
        )
        # The header row stays in view when the table scrolls down.
        assert (
            page.locator("table.matrix thead th").first.evaluate(
                "element => getComputedStyle(element).position"
            )
            == "sticky"
        )
    finally:
        context.close()
