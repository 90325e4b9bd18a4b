"""A learner in real Chromium: log in, open a course, complete a lesson, switch language."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in

LEARNER = ("learner@demo.2sokrog.eu", "zelena-lipa-ob-potoku")


def test_learner_completes_a_lesson_and_switches_language(page):
    log_in(page, *LEARNER)
    expect(page).to_have_url(re.compile(r"/$"))  # the dashboard
    # Other tests may have left the account in another language: start from Slovenian.
    page.locator("#language-select").select_option("sl")
    page.locator(".language-form [type=submit]").click()
    page.get_by_role("link", name="Tečaji", exact=True).click()
    page.locator(".card h2 a").first.click()
    expect(page.locator("h1")).to_be_visible()
    page.get_by_role("button", name="Vpišite se v ta tečaj").click()
    expect(page.locator("[data-progress-text]")).to_contain_text("0 od 4")
    page.locator(".lesson-list a").first.click()
    expect(page.locator("article.lesson h1")).to_be_visible()
    page.get_by_role("button", name="Označite kot opravljeno").click()
    # Marking a lesson complete moves on to the next lesson, with the bar one step further.
    expect(page.locator("[data-progress-text]")).to_contain_text("1 od 4")
    expect(page.locator("progress")).to_have_attribute("value", "1")

    page.locator("#language-select").select_option("hr")
    page.locator(".language-form [type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "hr")
    expect(page.locator("[data-progress-text]")).to_contain_text("1 od 4")
    expect(page.locator("article.lesson")).to_have_attribute("lang", "hr")

    # The choice is kept on the account: a new session opens in Croatian.
    page.context.clear_cookies()
    log_in(page, *LEARNER)
    expect(page.locator("html")).to_have_attribute("lang", "hr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dobro došli, Ana Novak")


def test_everything_works_from_the_keyboard(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    page.locator("input[name=email]").focus()
    page.keyboard.type(LEARNER[0])
    page.keyboard.press("Tab")
    page.keyboard.type(LEARNER[1])
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
