"""`make screenshots`: a picture of every page type, as every role, at 375 px and 1280 px.

The app runs with the real courses and the demo accounts on a throwaway SQLite database,
Debian's Chromium takes the pictures (never a downloaded browser). They go to `screenshots/`
(not committed); README shows three of them from docs/screenshots/.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app.auth.services import institutions, seed_institutions
from app.certificates.keys import generate_key
from app.courses.sync import sync_folder
from app.demo.services import seed_demo
from app.extensions import db
from tests.browser.conftest import CHROMIUM_ARGS, log_in
from tests.browser.test_layout import ACCOUNTS, PAGES
from tests.conftest import make_app

ROOT = Path(__file__).parents[1]
WIDTHS = (375, 1280)


def _serve(base: Path) -> tuple[str, object]:
    app = make_app(f"sqlite:///{base / 'screens.db'}", base / "storage", WTF_CSRF_SSL_STRICT=False)
    with app.app_context():
        seed_institutions()
        for institution in institutions():
            generate_key(institution)
        sync_folder(ROOT / "courses")
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def _name(role: str | None, path: str, width: int) -> str:
    slug = path.strip("/").replace("/", "-") or "home"
    return f"{role or 'anonymous'}--{slug}--{width}.png"


def take(output: Path, language: str) -> list[Path]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium not found: apt-get install chromium")
    output.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory() as folder:
        url, server = _serve(Path(folder))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for role, paths in PAGES.items():
                for width in WIDTHS:
                    context = browser.new_context(
                        base_url=url, locale=language, viewport={"width": width, "height": 900}
                    )
                    page = context.new_page()
                    if role:
                        log_in(page, *ACCOUNTS[role])
                    for path in paths:
                        page.goto(path)
                        target = output / _name(role, path, width)
                        page.screenshot(path=str(target), full_page=True)
                        saved.append(target)
                    context.close()
            browser.close()
        server.shutdown()  # type: ignore[attr-defined]
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--language", default="sl", choices=["sl", "hr", "en"])
    args = parser.parse_args()
    saved = take(args.output, args.language)
    print(f"{len(saved)} screenshots in {args.output}")


if __name__ == "__main__":
    main()
