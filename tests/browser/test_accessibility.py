"""axe-core in Chromium: no WCAG 2.1 A/AA violations on the pages learners use, in each language."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
COURSE = "social-activation-basics"


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{item['id']}: {item['help']} ({len(item['nodes'])}x: {item['nodes'][0]['target']})"
        for item in results.response["violations"]
    ]


@pytest.mark.parametrize("language", ["sl", "hr", "en"])
def test_learner_pages_have_no_wcag_violations(page, language):
    page.goto("/login")
    page.locator("#language-select").select_option(language)
    page.locator(".language-form [type=submit]").click()
    assert page.locator("html").get_attribute("lang") == language
    found = {"login": violations(page)}
    page.goto("/login?next=/courses/")
    log_in(page, "learner@demo.2sokrog.eu", "zelena-lipa-ob-potoku")
    page.locator("#language-select").select_option(language)
    page.locator(".language-form [type=submit]").click()
    for name, path in [
        ("catalogue", "/courses/"),
        ("course", f"/courses/{COURSE}/"),
        ("lesson", f"/courses/{COURSE}/lessons/what-is-social-activation"),
        ("my learning", "/my/learning"),
        ("my competences", "/my/competences"),
        ("my certificates", "/my/certificates"),
        ("my data", "/account/data"),
        ("privacy notice", "/privacy"),
    ]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        found[name] = violations(page)
    assert {name: items for name, items in found.items() if items} == {}


def test_admin_pages_have_no_wcag_violations(page):
    log_in(page, "admin@demo.2sokrog.eu", "sivi-kamen-na-vrhu")
    found = {}
    for name, path in [
        ("users", "/admin/users"),
        ("new user", "/admin/users/new"),
        ("audit trail", "/admin/audit"),
        ("learning records", "/admin/learning-records"),
    ]:
        page.goto(path)
        found[name] = violations(page)
    page.goto("/admin/users/new")
    page.locator("[type=submit]").last.click()  # an empty form shows its errors
    found["form errors"] = violations(page)
    page.goto("/admin/users/import")
    found["import"] = violations(page)
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv",
                "buffer": b"e-mail,name,job role,role,language\na11y@example.org,A Y,,boss,\n"
                          b"a11y2@example.org,B Z,,,\n"}]
    )  # fmt: skip
    page.locator("form[enctype] [type=submit]").first.click()
    page.locator("#report").wait_for()
    found["import report"] = violations(page)
    assert {name: items for name, items in found.items() if items} == {}


def test_issuer_page_of_its_administrator_has_no_wcag_violations(page, tmp_path):
    """The emblem form: empty, refused (its error by the field), and with an emblem shown."""
    from PIL import Image

    log_in(page, "admin@demo.2sokrog.eu", "sivi-kamen-na-vrhu")
    page.goto("/issuers/bistra-ptuj")
    found = {"issuer (admin)": violations(page)}
    not_an_image = tmp_path / "emblem.png"
    not_an_image.write_text("not an image")
    page.get_by_label("Emblem or logo").set_input_files(str(not_an_image))
    page.get_by_role("button", name="Upload emblem").click()
    expect(page.locator(".field-error")).to_contain_text("not a PNG or JPEG image")
    found["emblem error"] = violations(page)
    emblem = tmp_path / "logo.png"
    Image.new("RGBA", (300, 120), (11, 83, 148, 200)).save(emblem)
    page.get_by_label("Emblem or logo").set_input_files(str(emblem))
    page.get_by_role("button", name="Upload emblem").click()
    expect(page.locator("img.issuer-emblem")).to_be_visible()
    found["with emblem"] = violations(page)
    page.get_by_role("button", name="Remove the emblem").click()
    expect(page.locator("img.issuer-emblem")).to_have_count(0)
    assert {name: items for name, items in found.items() if items} == {}


def test_hr_pages_have_no_wcag_violations(page):
    log_in(page, "hr@demo.2sokrog.eu", "rumeno-polje-za-hribom")
    page.goto("/hr/matrix")
    found = {"matrix": violations(page)}
    page.locator("table.matrix tbody th a").first.click()
    found["employee"] = violations(page)
    page.goto("/hr/certificates")
    found["certificates"] = violations(page)
    page.goto("/exports")
    found["exports"] = violations(page)
    page.locator("form [type=submit]").last.click()  # written at once: a finished export
    page.locator("#export-progress").wait_for()
    found["export"] = violations(page)
    assert {name: items for name, items in found.items() if items} == {}


@pytest.mark.parametrize("language", ["sl", "hr", "en"])
def test_public_certificate_pages_have_no_wcag_violations(browser, live_server, language):
    context = browser.new_context(base_url=live_server, locale=language)
    page = context.new_page()
    found = {}
    page.goto("/verify")
    found["lookup"] = violations(page)
    page.goto("/verify?code=wrong")  # the form with its error
    found["lookup error"] = violations(page)
    page.goto("/verify/0000000000000000")
    found["unknown code"] = violations(page)
    page.goto("/issuers/csd-lasko")
    found["issuer"] = violations(page)
    context.close()
    assert {name: items for name, items in found.items() if items} == {}
