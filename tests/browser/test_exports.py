"""An export in Chromium: the page follows the job by itself (progress bar, live region) and
offers the file when it is ready; the refresh link is for browsers without JavaScript."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from app.core import jobs
from tests.browser.conftest import log_in


def test_the_export_page_follows_the_job_and_offers_the_file(page):
    log_in(page, "hr@demo.2sokrog.eu", "rumeno-polje-za-hribom")
    page.goto("/exports?kind=certificates")
    jobs.huey.immediate = False  # a worker that has not got to it yet
    try:
        page.get_by_role("button", name="Začnite izvoz").click()
        expect(page.locator("[data-export-message]")).to_contain_text("Čaka na vrsto")
    finally:
        jobs.huey.flush()
        jobs.huey.immediate = True
    status = page.url
    expect(page.get_by_role("link", name="Osvežite stran za prikaz napredka")).to_be_visible()
    # From here the worker's progress, as the status URL reports it to the script.
    answers = [
        {"status": "running", "progress": 40, "message": "40 %", "download": None},
        {"status": "done", "progress": 100, "message": "Pripravljeno: vrstic 5.",
         "download": status + "/download"},
    ]  # fmt: skip
    asked = []

    def worker(route):
        if "application/json" not in (route.request.headers.get("accept") or ""):
            route.continue_()
            return
        asked.append(route.request.url)
        answer = answers[min(len(asked), len(answers)) - 1]
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))

    page.route(status, worker)
    bar = page.locator("progress#export-progress")
    expect(bar).to_have_attribute("value", "40")
    expect(page.locator("[data-export-message][aria-live=polite]")).to_have_text("40 %")
    expect(bar).to_have_attribute("value", "100")
    link = page.get_by_role("link", name="Prenesite datoteko")
    expect(link).to_have_attribute("href", status + "/download")
    expect(page.locator("[data-export-message]")).to_contain_text("Pripravljeno: vrstic 5.")
    expect(page.locator("[data-refresh]")).to_be_hidden()
    count = len(asked)
    page.wait_for_timeout(3000)
    assert len(asked) == count  # done: the script stops asking
    expect(page.locator("[data-export-message]")).to_have_attribute("role", "status")
