"""The picture of a certificate that a Europass credential shows (one PNG page per language)."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from flask_babel import force_locale, format_date, gettext, ngettext
from PIL import Image, ImageDraw, ImageFont

from app.certificates.edc import EdcFacts
from app.core.i18n import pick_text

FONT_DIR = Path(__file__).parent / "fonts"
# A4 at 100 pixels per inch: readable, and small enough to travel inside the credential.
WIDTH, HEIGHT = 827, 1169
MARGIN = 70
INK = (33, 37, 41)
MUTED = (90, 96, 104)
ACCENT = (0, 82, 147)


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    # DejaVu has every letter of Slovenian and Croatian (č, ć, đ, š, ž).
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


class _Page:
    def __init__(self) -> None:
        self.image = Image.new("RGB", (WIDTH, HEIGHT), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGIN

    def text(self, text: str, size: int, bold: bool = False, fill: tuple[int, ...] = INK) -> None:
        font = _font(size, bold)
        for line in _wrap(text, font, WIDTH - 2 * MARGIN):
            self.draw.text((WIDTH // 2, self.y), line, font=font, fill=fill, anchor="ma")
            self.y += int(size * 1.35)

    def space(self, pixels: int) -> None:
        self.y += pixels

    def png(self) -> bytes:
        self.draw.rectangle((20, 20, WIDTH - 21, HEIGHT - 21), outline=ACCENT, width=3)
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()


def _competence_lines(facts: EdcFacts, language: str) -> list[str]:
    return [
        f"{pick_text(item['names'], language)}: {item['level']} – "
        f"{pick_text(facts.level_names.get(item['level'], {}), language)}"
        for item in facts.competences
    ]


def render_display(facts: EdcFacts, language: str, verify_url: str) -> bytes:
    """The certificate's main facts on one A4 page in `language`, as PNG."""
    page = _Page()
    with force_locale(language):
        page.text(gettext("Certificate of completion"), 36, bold=True, fill=ACCENT)
        page.text(facts.institution_name, 20, fill=MUTED)
        page.space(50)
        page.text(gettext("This is to certify that"), 20)
        page.space(10)
        page.text(facts.learner_name, 32, bold=True)
        page.space(10)
        page.text(gettext("has successfully completed the training"), 20)
        page.space(10)
        page.text(pick_text(facts.course_titles, language), 26, bold=True)
        page.space(10)
        page.text(
            ngettext("Workload: %(num)d hour", "Workload: %(num)d hours", facts.workload_hours),
            18,
        )
        lines = _competence_lines(facts, language)
        if lines:
            page.space(30)
            page.text(gettext("Competences attested"), 20, bold=True)
            for line in lines:
                page.text(line, 17)
        page.space(40)
        page.text(gettext("Issued on %(date)s", date=format_date(facts.issued_on, "long")), 18)
        if facts.expires_on:
            page.text(
                gettext("Valid until %(date)s", date=format_date(facts.expires_on, "long")), 18
            )
        page.space(30)
        page.text(f"{gettext('Serial number')}: {facts.serial}", 16, fill=MUTED)
        page.text(gettext("Check that this certificate is genuine:"), 16, fill=MUTED)
        page.text(verify_url, 16, fill=MUTED)
    return page.png()
