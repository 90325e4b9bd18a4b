"""A trainer writes a course in Chromium: live preview, a refused publish, a publish, and a learner
reads the lesson; axe-core checks the editor's pages on the way."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations

TRAINER = ("trainer@demo.2sokrog.eu", "modra-reka-pod-mostom")
LEARNER = ("learner@demo.2sokrog.eu", "zelena-lipa-ob-potoku")


def test_trainer_writes_previews_publishes_and_a_learner_reads(page, browser, live_server):
    found = {}
    log_in(page, *TRAINER)
    page.goto("/authoring/new?lang=en")
    found["new course"] = violations(page)
    page.locator("#title").fill("Prvi koraki v skupnosti")
    page.locator("#slug").fill("first-steps")
    page.locator("#translations-0").uncheck()  # Slovenian only, for this test
    page.locator("#translations-1").uncheck()
    page.locator("#translations-2").uncheck()
    page.locator("[name=submit]").click()
    expect(page).to_have_url(f"{live_server}/authoring/courses/first-steps/")

    page.locator("form[action$='/lessons'] #title").fill("Prvi stik")
    page.locator("form[action$='/lessons'] #slug").fill("first-contact")
    page.locator("form[action$='/lessons'] [type=submit]").click()
    expect(page).to_have_url(
        f"{live_server}/authoring/courses/first-steps/lessons/first-contact/sl"
    )

    # With JavaScript the server's preview follows the typing; the cursor stays where it was.
    body = page.locator("#body")
    body.click()
    body.press_sequentially("## Uvod\n\nTo je **nova** lekcija.<script>alert(1)</script>")
    preview = page.locator("[data-preview-output]")
    expect(preview.locator("strong")).to_have_text("nova")
    expect(preview.locator("h2#uvod")).to_have_text("Uvod")
    expect(preview.locator("script")).to_have_count(0)
    assert page.evaluate("document.activeElement.id") == "body"
    end = page.evaluate("document.getElementById('body').value.length")
    assert page.evaluate("document.getElementById('body').selectionStart") == end
    found["lesson editor"] = violations(page)
    page.locator("#save").click()
    expect(page.locator(".flash-success")).to_be_visible()

    # The first publish is refused: the course has no summary yet, shown beside its line.
    page.goto("/authoring/courses/first-steps/")
    found["course overview"] = violations(page)
    page.locator("form[action$='/publish'] [type=submit]").click()
    expect(page.locator("table.source-lines")).to_contain_text("summary")
    found["problems"] = violations(page)

    page.goto("/authoring/courses/first-steps/settings")
    page.locator("#summary_sl").fill("Kako začeti sodelovanje z osebo.")
    found["settings"] = violations(page)
    page.locator("[name=submit]").click()
    page.locator("form[action$='/publish'] [type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/authoring/courses/first-steps/history")
    found["history"] = violations(page)
    page.goto("/authoring/courses/first-steps/history/diff")
    found["diff"] = violations(page)
    page.goto("/authoring/courses/first-steps/quiz/sl")
    page.locator("#preview").click()
    found["quiz editor"] = violations(page)

    learner = browser.new_context(base_url=live_server, locale="sl-SI").new_page()
    log_in(learner, *LEARNER)
    learner.goto("/courses/first-steps/")
    expect(learner.locator("h1")).to_contain_text("Prvi koraki v skupnosti")
    learner.goto("/courses/first-steps/lessons/first-contact")
    expect(learner.locator("main strong")).to_have_text("nova")
    learner.context.close()
    assert {name: items for name, items in found.items() if items} == {}


def test_the_editor_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    log_in(page, *TRAINER)
    page.goto("/authoring/courses/social-activation-basics/lessons/target-groups/hr?lang=en")
    expect(page.locator(".translation-state")).to_contain_text("Up to date")
    body = page.locator("#body")
    body.fill(body.input_value() + "\n\nDodatni *odlomak*.")
    page.locator("#preview").click()
    expect(page.locator("[data-preview-output] em", has_text="odlomak")).to_have_count(1)
    # Nothing typed is lost by the preview.
    assert page.locator("#body").input_value().endswith("Dodatni *odlomak*.")
    context.close()
