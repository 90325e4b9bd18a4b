"""A live server with the real courses on SQLite, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.auth.services import institutions, seed_institutions
from app.certificates.keys import generate_key
from app.courses.sync import sync_folder
from app.demo.services import seed_demo
from app.extensions import db
from tests.conftest import make_app

ROOT = Path(__file__).parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("chromium not found, and REQUIRE_BROWSER=1 (apt-get install chromium)")
        pytest.skip("chromium not found: browser tests skipped (apt-get install chromium)")
    return path


# A one-lesson course without a quiz beside the real ones, so a browser test can complete a
# course (and earn its certificate) in a few clicks.
SHORT_COURSE = "browser-short-course"
SHORT_COURSE_FILES = {
    "course.yml": """slug: browser-short-course
title: {sl: Kratek tečaj, hr: Kratki tečaj, en: Short course}
summary: {sl: En kratek del., hr: Jedan kratki dio., en: One short part.}
languages: [sl, hr, en]
workload_hours: 1
institution: csd-lasko
competences:
  - id: client-communication
    level: 1
""",
    "01-only.sl.md": "---\ntitle: Edina lekcija\n---\n## Uvod\n\nBesedilo.\n",
    "01-only.hr.md": "---\ntitle: Jedina lekcija\n---\n## Uvod\n\nTekst.\n",
    "01-only.en.md": "---\ntitle: The only lesson\n---\n## Introduction\n\nText.\n",
}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The real app with the real courses/ folder and the demo accounts, on a free port."""
    base = tmp_path_factory.mktemp("live")
    courses = base / "courses"
    shutil.copytree(ROOT / "courses", courses)
    (courses / SHORT_COURSE).mkdir()
    for name, text in SHORT_COURSE_FILES.items():
        (courses / SHORT_COURSE / name).write_text(text, encoding="utf-8")
    app = make_app(
        f"sqlite:///{base / 'live.db'}",
        base / "storage",
        WTF_CSRF_SSL_STRICT=False,
        LOGIN_FAILURES_PER_ADDRESS="1000 per minute",
        VERIFY_RATE_LIMIT="1000 per minute",
    )
    with app.app_context():
        seed_institutions()
        for institution in institutions():
            generate_key(institution)
        sync_folder(courses)  # first, so the demo accounts get their job roles
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Certificates and their QR codes point to where this server really listens.
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="sl-SI")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form[action='/login'] [type=submit]").click()
