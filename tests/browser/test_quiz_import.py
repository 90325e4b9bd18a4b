"""A trainer imports a Moodle XML question bank in Chromium: preview, into the draft, the quiz
editor with the questions; axe-core checks the import pages. The draft is discarded after."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_accessibility import violations
from tests.browser.test_editor import TRAINER

BANK = Path(__file__).parents[1] / "questions" / "data" / "bank.xml"
COURSE = "/authoring/courses/social-activation-basics"


def test_trainer_imports_a_moodle_bank_into_the_draft(page, live_server):
    found = {}
    log_in(page, *TRAINER)
    page.goto(f"{COURSE}/?lang=en")
    page.get_by_role("link", name="Import questions from Moodle (GIFT or Moodle XML)").click()
    expect(page).to_have_url(f"{live_server}{COURSE}/quiz/import")
    found["import"] = violations(page)
    page.locator("#file").set_input_files(str(BANK))
    page.locator("#language").select_option("en")
    page.locator("#submit").click()
    expect(page.locator("[role=status]")).to_contain_text("9 questions found")
    expect(page.locator("main table")).to_contain_text("Referral")
    expect(page.locator("main")).to_contain_text("images/chart-1.png")
    found["preview"] = violations(page)
    page.locator("#confirm").click()
    expect(page).to_have_url(f"{live_server}{COURSE}/quiz/en")
    expect(page.locator(".flash-success")).to_contain_text("9 new, 0 unchanged, 0 updated")
    expect(page.locator("#text")).to_contain_text("Title: Referral")
    found["quiz editor"] = violations(page)
    page.goto(f"{COURSE}/")
    page.locator("#discard-confirm").check()
    page.locator("form[action$='/discard'] [type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert {name: items for name, items in found.items() if items} == {}
