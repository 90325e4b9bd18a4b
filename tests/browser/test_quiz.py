"""A learner takes the sample course's quiz in Chromium: autosave, reload, submit, result; axe."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations

COURSE = "social-activation-basics"


def test_learner_takes_the_quiz_and_sees_the_result(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "trainer@demo.2sokrog.eu", "modra-reka-pod-mostom")
    page.locator("#language-select").select_option("en")
    page.locator(".language-form [type=submit]").click()
    page.goto(f"/courses/{COURSE}/quiz")
    assert violations(page) == []
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+$"))
    assert violations(page) == []

    first = page.locator("fieldset.question").first
    first.locator("input[type=radio], input[type=checkbox]").first.check()
    # With JavaScript the answer is saved on the server as soon as it is chosen.
    expect(page.locator("[data-save-status]")).to_have_text("All answers saved.")
    chosen = first.locator("input:checked").first.get_attribute("id")
    page.reload()
    expect(page.locator(f"#{chosen}")).to_be_checked()

    # The navigator says which questions are answered; a flag marks one to come back to.
    expect(page.locator("[data-nav='0']")).to_have_class(re.compile("is-answered"))
    expect(page.locator("[data-nav='1']")).not_to_have_class(re.compile("is-answered"))
    expect(page.locator("[data-nav='1'] [data-nav-state]")).to_have_text(": not answered")
    page.get_by_role("button", name="Flag question 2 for review").click()
    expect(page.get_by_role("button", name="Flag question 2 for review")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("[data-nav='1'] [data-nav-state]")).to_have_text(
        ": not answered, flagged for review"
    )
    assert violations(page) == []

    page.get_by_role("button", name="Review and submit").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/summary$"))
    expect(page.locator("[data-row='0']")).to_contain_text("Answered")
    expect(page.locator("[data-row='1']")).to_contain_text("Not answered")
    expect(page.locator("[data-row='1']")).to_contain_text("flagged for review")
    assert violations(page) == []
    page.get_by_role("button", name="Submit and finish").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/result$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Result of attempt 1")
    expect(page.locator(".result-summary")).to_contain_text("Score:")
    assert violations(page) == []
    context.close()


def test_the_quiz_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="sl-SI", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "hr@demo.2sokrog.eu", "rumeno-polje-za-hribom")
    page.goto(f"/courses/{COURSE}/quiz")
    page.locator("form[action$='/quiz/start'] [type=submit]").click()
    first = page.locator("fieldset.question").first
    first.locator("input[type=radio], input[type=checkbox]").first.check()
    chosen = first.locator("input:checked").first.get_attribute("id")
    page.locator(".quiz-actions button").first.click()  # "save answers"
    expect(page.locator(f"#{chosen}")).to_be_checked()
    expect(page.locator(".flash-success")).to_be_visible()
    page.locator(".quiz-actions button").last.click()  # review and submit
    expect(page).to_have_url(re.compile(r"/summary$"))
    page.get_by_role("button", name="Oddajte in zaključite").click()
    expect(page).to_have_url(re.compile(r"/result$"))
    context.close()
