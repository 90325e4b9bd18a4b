"""A learner completes a course in Chromium, downloads the certificate and follows its QR code."""

from __future__ import annotations

import re
import shutil
import subprocess

from playwright.sync_api import expect

from tests.browser.conftest import SHORT_COURSE, log_in

LEARNER = ("learner@demo.2sokrog.eu", "zelena-lipa-ob-potoku")


def qr_link(pdf, folder) -> str:
    """The URL in the certificate's QR code, read from the rendered page as a phone would."""
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(folder / "page")], check=True)
    (image,) = folder.glob("page*.png")
    return subprocess.run(
        ["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_complete_download_and_verify_by_qr(page, tmp_path):
    log_in(page, *LEARNER)
    page.locator("#language-select").select_option("sl")
    page.locator(".language-form [type=submit]").click()
    page.goto(f"/courses/{SHORT_COURSE}/")
    page.get_by_role("button", name="Vpišite se v ta tečaj").click()
    page.locator(".lesson-list a").first.click()
    page.get_by_role("button", name="Označite kot opravljeno").click()

    page.get_by_role("link", name="Moja potrdila").click()
    card = page.locator(".certificate-list li", has_text="Kratek tečaj")
    expect(card).to_contain_text("Veljavno")
    with page.expect_download() as info:
        card.get_by_role("link", name=re.compile("^Prenesite PDF")).click()
    pdf = tmp_path / "certificate.pdf"
    info.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Ana Novak" in text
    assert "Kratek tečaj" in text  # Slovenian beside Croatian
    assert "Kratki tečaj" in text

    if shutil.which("zbarimg"):
        link = qr_link(pdf, tmp_path)
    else:  # without zbar the printed link stands in for the code
        link = re.search(r"https?://\S+/verify/\w+", text).group(0)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/verify/[0-9A-Z]{16}", link)

    # The employer opens the link in a fresh browser, without an account.
    visitor = page.context.browser.new_context(locale="hr-HR")
    public = visitor.new_page()
    public.goto(link)
    expect(public.locator(".verify-status")).to_contain_text("Valjano")
    expect(public.locator("dl.facts")).to_contain_text("Ana Novak")
    expect(public.locator("dl.facts")).to_contain_text("Kratki tečaj")
    visitor.close()
