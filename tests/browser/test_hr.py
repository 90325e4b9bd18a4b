"""HR in Chromium: filter the competence matrix and download it as XLSX."""

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
