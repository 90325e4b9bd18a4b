"""Focus and hover are visible: every element the keyboard reaches shows a focus indicator with
contrast of at least 3:1 against what surrounds it (WCAG 2.4.7, 1.4.11), and links and buttons
keep their text readable (3:1 at least) when hovered."""

from __future__ import annotations

import pytest

from tests.browser.test_layout import _context

PAGES = {
    None: ["/courses/", "/login", "/verify"],
    "learner": ["/", "/my/competences"],
    "hr": ["/hr/assignments", "/hr/matrix"],
}

# Relative luminance and contrast ratio as WCAG 2.1 defines them.
COLOURS = """
  function rgb(text) {
    const m = (text || '').match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(',').map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  }
  function channel(v) {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  }
  function lum(c) { return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b); }
  function contrast(a, b) {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }
  function background(node) {
    for (let n = node; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
"""

# The best contrast of the focus indicator (outline of 2 px or more, or a box-shadow ring)
# against the background around the element.
MEASURE = (
    "(element) => {"
    + COLOURS
    + """
  const style = getComputedStyle(element);
  const around = background(element.parentElement || element);
  const colours = [];
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) {
    colours.push(rgb(style.outlineColor));
  }
  (style.boxShadow.match(/rgba?\\([^)]+\\)/g) || []).forEach(c => colours.push(rgb(c)));
  const best = Math.max(0, ...colours.filter(Boolean).map(c => contrast(c, around)));
  return {best, html: element.outerHTML.slice(0, 100)};
}"""
)

# The text of a hovered element against its own background.
HOVER = (
    "(element) => {"
    + COLOURS
    + """
  return contrast(rgb(getComputedStyle(element).color), background(element));
}"""
)


@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role or "anonymous")
def test_every_focused_element_shows_a_visible_indicator(browser, live_server, role):
    context, page = _context(browser, live_server, role, 1280)
    try:
        for path in PAGES[role]:
            page.goto(path)
            seen = set()
            for _ in range(60):
                page.keyboard.press("Tab")
                handle = page.evaluate_handle("document.activeElement")
                if page.evaluate("(e) => e === document.body", handle):
                    break
                key = page.evaluate("(e) => e.outerHTML.slice(0, 120)", handle)
                if key in seen:
                    break
                seen.add(key)
                measured = page.evaluate(MEASURE, handle)
                assert measured["best"] >= 3, (path, measured)
            assert len(seen) >= 3, path
    finally:
        context.close()


@pytest.mark.parametrize("role", ["learner", None], ids=lambda role: role or "anonymous")
def test_hovered_links_and_buttons_stay_readable(browser, live_server, role):
    context, page = _context(browser, live_server, role, 1280)
    try:
        page.goto("/courses/")
        targets = page.locator("main a:visible, main button:visible, header a:visible")
        for index in range(min(targets.count(), 25)):
            target = targets.nth(index)
            target.hover()
            assert target.evaluate(HOVER) >= 3, target.evaluate("(e) => e.outerHTML.slice(0, 120)")
    finally:
        context.close()
