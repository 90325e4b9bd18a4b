"""HR in Chromium: filter the competence matrix, download it as XLSX, find people to assign."""

from __future__ import annotations

import re

import openpyxl
from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_hr_filters_the_matrix_and_downloads_xlsx(page, tmp_path):
    log_in(page, "hr@demo.2sokrog.eu", "rumeno-polje-za-hribom")
    page.goto("/hr/matrix")
    expect(page.locator("table.matrix")).to_be_visible()
    everyone = page.locator("table.matrix tbody tr").count()
    page.locator("#filter-role").select_option(label="Strokovni delavec v centru za socialno delo")
    page.locator(".filters [type=submit]").click()
    expect(page).to_have_url(re.compile(r"job_role=\d+"))
    filtered = page.locator("table.matrix tbody tr").count()
    assert 1 <= filtered < everyone
    with page.expect_download() as info:
        page.get_by_role("link", name="Prenesite XLSX").click()
    path = tmp_path / "matrix.xlsx"
    info.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.freeze_panes == "B2"
    assert sheet.max_row == filtered + 1  # the header and exactly the rows on the page


def test_the_people_picker_narrows_the_list_as_hr_types(page):
    log_in(page, "hr@demo.2sokrog.eu", "rumeno-polje-za-hribom")
    page.goto("/hr/assignments")
    picker = page.locator("[data-people-picker]")
    search = picker.get_by_label("Iskanje po imenu, enoti ali e-naslovu")
    people = picker.locator(".people-list li")
    total = people.count()
    assert total >= 2
    expect(picker.locator("#people-count")).to_have_text(
        f"Prikazano: {total} od {total}. Izbrano: 0."
    )
    # Case and diacritics do not matter; Enter does not send the form.
    search.fill("NOVAK")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/hr/assignments$"))
    expect(picker.locator(".people-list li:visible")).to_have_count(1)
    expect(picker.locator(".people-list li:visible")).to_contain_text("Ana Novak")
    picker.get_by_label(re.compile("Ana Novak")).check()
    # A ticked person stays in view while the search looks for someone else.
    search.fill("petra")
    visible = picker.locator(".people-list li:visible")
    expect(visible).to_have_count(2)
    expect(picker.locator("#people-count")).to_have_text(f"Prikazano: 2 od {total}. Izbrano: 1.")
