"""The one-page A4 certificate PDF: two languages side by side, embedded font, QR code."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from flask_babel import force_locale, format_date, gettext, ngettext
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.core.i18n import pick_text

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
INK = HexColor("#1a1a1a")
ACCENT = HexColor("#0b5394")
MUTED = HexColor("#4d4d4d")
WIDTH, HEIGHT = A4
MARGIN = 18 * mm


@dataclass(frozen=True)
class CompetenceLine:
    names: dict[str, str]
    level: int
    level_names: dict[str, str]


@dataclass(frozen=True)
class CertificateContent:
    """Everything the PDF shows, in every language it may be printed in."""

    serial: str
    code: str
    verify_url: str
    learner_name: str
    course_titles: dict[str, str]
    workload_hours: int
    competences: list[CompetenceLine]
    issued_on: date
    expires_on: date | None
    institution_name: str
    signatory_name: str
    signatory_title: str


def _register_fonts() -> None:
    # Registering parses the TrueType file: done once per process, then every PDF subsets it.
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if pdfmetrics.stringWidth(candidate, font, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


class _Column:
    """Writes wrapped lines top-down in one column of the page."""

    def __init__(self, canvas: Canvas, x: float, y: float, width: float) -> None:
        self.canvas, self.x, self.y, self.width = canvas, x, y, width

    def text(
        self,
        text: str,
        size: float = 10,
        font: str = REGULAR,
        color: Color = INK,
        gap: float = 1.35,
    ) -> None:
        self.canvas.setFont(font, size)
        self.canvas.setFillColor(color)
        for line in _wrap(text, font, size, self.width):
            self.canvas.drawString(self.x, self.y, line)
            self.y -= size * gap
        self.y -= size * 0.3

    def space(self, height: float) -> None:
        self.y -= height


def _level_line(line: CompetenceLine, language: str) -> str:
    level = pick_text(line.level_names, language)
    return f"{pick_text(line.names, language)}: {line.level} – {level}"


def _labels(language: str, content: CertificateContent) -> dict[str, str]:
    with force_locale(language):
        labels = {
            "heading": gettext("Certificate of completion"),
            "certifies": gettext("This is to certify that"),
            "completed": gettext("has successfully completed the training"),
            "workload": ngettext(
                "Workload: %(num)d hour", "Workload: %(num)d hours", content.workload_hours
            ),
            "competences": gettext("Competences attested"),
            "issued": gettext("Issued on %(date)s", date=format_date(content.issued_on, "long")),
            "expires": gettext("Valid until %(date)s", date=format_date(content.expires_on, "long"))
            if content.expires_on
            else "",
            "funding": gettext(
                "The 2SoKroG project is co-financed by the European Regional Development Fund "
                "within the Interreg V-A Slovenia-Croatia Cooperation Programme."
            ),
            "serial": gettext("Serial number"),
            "verify": gettext("Check that this certificate is genuine:"),
            "code": gettext("Verification code"),
        }
    return labels


def render_certificate(content: CertificateContent, languages: tuple[str, ...]) -> bytes:
    """One A4 page; two languages stand side by side in columns, one language spans the page."""
    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1, initialFontName=REGULAR)
    canvas.setTitle(f"{content.serial} – {content.learner_name}")
    canvas.setAuthor(content.institution_name)
    canvas.setSubject(" / ".join(pick_text(content.course_titles, lang) for lang in languages))
    canvas.setCreator("2SoKroG")

    # A frame and the issuer across the top.
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.2)
    canvas.rect(MARGIN / 2, MARGIN / 2, WIDTH - MARGIN, HEIGHT - MARGIN)
    top = HEIGHT - MARGIN - 6 * mm
    canvas.setFillColor(ACCENT)
    canvas.setFont(BOLD, 13)
    canvas.drawCentredString(WIDTH / 2, top, content.institution_name)
    canvas.setFont(REGULAR, 9)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(WIDTH / 2, top - 13, "2SoKroG · Interreg V-A Slovenija–Hrvatska")

    labels = [_labels(language, content) for language in languages]
    gutter = 10 * mm
    column_width = (WIDTH - 2 * MARGIN - gutter * (len(languages) - 1)) / len(languages)
    y_start = top - 22 * mm
    bottoms = []
    for index, (language, label) in enumerate(zip(languages, labels, strict=True)):
        column = _Column(canvas, MARGIN + index * (column_width + gutter), y_start, column_width)
        column.text(label["heading"], size=17, font=BOLD, color=ACCENT)
        column.space(4 * mm)
        column.text(label["certifies"], size=10, color=MUTED)
        column.text(content.learner_name, size=15, font=BOLD)
        column.text(label["completed"], size=10, color=MUTED)
        column.text(pick_text(content.course_titles, language), size=13, font=BOLD)
        column.text(label["workload"], size=10)
        levels = [_level_line(line, language) for line in content.competences]
        if levels:
            column.space(2 * mm)
            column.text(label["competences"], size=10, font=BOLD)
            for line in levels:
                column.text("• " + line, size=9, gap=1.25)
        column.space(2 * mm)
        column.text(label["issued"], size=10)
        if label["expires"]:
            column.text(label["expires"], size=10)
        bottoms.append(column.y)

    # Signatory, serial and the QR code that opens the public verification page.
    y = min(min(bottoms) - 12 * mm, 95 * mm)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, y, MARGIN + 70 * mm, y)
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 10)
    canvas.drawString(MARGIN, y - 12, content.signatory_name)
    canvas.setFont(REGULAR, 9)
    canvas.drawString(MARGIN, y - 24, content.signatory_title)
    canvas.drawString(MARGIN, y - 36, content.institution_name)

    qr_size = 34 * mm
    qr_x, qr_y = WIDTH - MARGIN - qr_size, y - qr_size + 8 * mm
    _draw_qr(canvas, content.verify_url, qr_x, qr_y, qr_size)

    info = _Column(canvas, MARGIN, y - 52, WIDTH - 2 * MARGIN - qr_size - 6 * mm)
    info.text(" / ".join(label["serial"] for label in labels) + f": {content.serial}", size=9)
    info.text(
        " / ".join(label["code"] for label in labels) + f": {format_code(content.code)}", size=9
    )
    info.text(" / ".join(label["verify"] for label in labels), size=9, color=MUTED)
    info.text(content.verify_url, size=9, color=ACCENT)

    # The co-financing statement of the project, in each language printed.
    footer = _Column(canvas, MARGIN, 30 * mm, WIDTH - 2 * MARGIN)
    for label in labels:
        footer.text(label["funding"], size=7.5, color=MUTED, gap=1.25)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path of dark runs: far faster than a shape per module."""
    matrix = segno.make_qr(data, error="m").matrix
    quiet = 4  # modules of light border the standard asks for around the symbol
    module = size / (len(matrix) + 2 * quiet)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + quiet + 1) * module
        column = 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                path.rect(x + (start + quiet) * module, top, (column - start) * module, module)
            else:
                column += 1
    canvas.setFillColor(INK)
    canvas.drawPath(path, stroke=0, fill=1)


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN-PQRS: groups of four are easier to read out and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
