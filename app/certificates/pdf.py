"""The one-page A4 certificate PDF: two languages side by side, emblem, QR code; tagged PDF/A-3a."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import segno
from flask_babel import force_locale, format_date, gettext, ngettext
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.certificates import pdfa
from app.certificates.pdftags import Tagger
from app.core.i18n import pick_text

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
INK = HexColor("#1a1a1a")
ACCENT = HexColor("#0b5394")
MUTED = HexColor("#4d4d4d")
WIDTH, HEIGHT = A4
MARGIN = 18 * mm
EMBLEM_BOX = (50 * mm, 16 * mm)  # the most the emblem takes: width, height
BULLET_INDENT = 4 * mm


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
    # The issuing institution's emblem (a PNG or JPEG it uploaded), if it has one.
    emblem: bytes | None = None
    # When the document was made and last changed (its metadata): the issue, the re-issue.
    issued_at: datetime | None = None
    modified_at: datetime | None = None


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


# A run of text in one language (None: the language around it); a line may mix several.
Run = tuple[str, str | None]


def _flow(runs: list[Run], font: str, size: float, width: float) -> list[list[tuple[str, int]]]:
    """Words of the runs filled into lines; each line is (text, run index) pieces, where a piece
    continues the previous one without a space when its run does not start with a space."""
    space = pdfmetrics.stringWidth(" ", font, size)
    lines: list[list[tuple[str, int]]] = [[]]
    used = 0.0
    for index, (text, _lang) in enumerate(runs):
        for position, word in enumerate(text.split()):
            glued = position == 0 and not text[:1].isspace() and bool(lines[-1])
            extra = pdfmetrics.stringWidth(word, font, size) + (
                0 if glued or not lines[-1] else space
            )
            if lines[-1] and not glued and used + extra > width:
                lines.append([])
                used, extra = 0.0, pdfmetrics.stringWidth(word, font, size)
            pieces = lines[-1]
            if pieces and pieces[-1][1] == index:
                pieces[-1] = (pieces[-1][0] + " " + word, index)
            else:
                pieces.append((("" if glued or not pieces else " ") + word, index))
            used += extra
    return lines


class _Column:
    """Writes wrapped, tagged lines top-down in one column of the page."""

    def __init__(self, canvas: Canvas, tagger: Tagger, x: float, y: float, width: float) -> None:
        self.canvas, self.tagger = canvas, tagger
        self.x, self.y, self.width = x, y, width

    def _style(self, font: str, size: float, color: Color) -> None:
        self.canvas.setFont(font, size)
        self.canvas.setFillColor(color)

    def text(
        self,
        text: str,
        size: float = 10,
        font: str = REGULAR,
        color: Color = INK,
        gap: float = 1.35,
        role: str = "P",
        lang: str | None = None,
    ) -> None:
        self._style(font, size, color)
        with self.tagger.element(role, lang=lang), self.tagger.content():
            for line in _wrap(text, font, size, self.width):
                self.canvas.drawString(self.x, self.y, line)
                self.y -= size * gap
        self.y -= size * 0.3

    def runs(self, runs: list[Run], size: float = 9, color: Color = INK, gap: float = 1.35) -> None:
        """One paragraph of runs in several languages: each foreign run is a Span with /Lang."""
        self._style(REGULAR, size, color)
        space = pdfmetrics.stringWidth(" ", REGULAR, size)
        with self.tagger.element("P"):
            for line in _flow(runs, REGULAR, size, self.width):
                x = self.x
                for piece, index in line:
                    lang = runs[index][1]
                    x += space if piece.startswith(" ") else 0
                    word = piece.lstrip(" ")
                    if lang and lang != self.tagger.language():
                        with self.tagger.element("Span", lang=lang), self.tagger.content():
                            self.canvas.drawString(x, self.y, word)
                    else:
                        with self.tagger.content():
                            self.canvas.drawString(x, self.y, word)
                    x += pdfmetrics.stringWidth(word, REGULAR, size)
                self.y -= size * gap
        self.y -= size * 0.3

    def bullet(self, text: str, size: float = 9, gap: float = 1.25) -> None:
        """A list item: the bullet is its label, the text hangs beside it."""
        self._style(REGULAR, size, INK)
        with self.tagger.element("LI"):
            with self.tagger.element("Lbl"), self.tagger.content():
                self.canvas.drawString(self.x, self.y, "•")
            with self.tagger.element("LBody"), self.tagger.content():
                for line in _wrap(text, REGULAR, size, self.width - BULLET_INDENT):
                    self.canvas.drawString(self.x + BULLET_INDENT, self.y, line)
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
            "emblem": gettext("Emblem of %(institution)s", institution=content.institution_name),
            "qr": gettext(
                "QR code that opens the verification page %(url)s", url=content.verify_url
            ),
        }
    return labels


def _header(canvas: Canvas, tagger: Tagger, content: CertificateContent, alt: str) -> float:
    """The frame, the emblem and the issuer across the top; returns the baseline below them."""
    with tagger.artifact():
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.2)
        canvas.rect(MARGIN / 2, MARGIN / 2, WIDTH - MARGIN, HEIGHT - MARGIN)
    top: float = HEIGHT - MARGIN - 6 * mm
    if content.emblem is not None:
        image = ImageReader(io.BytesIO(content.emblem))
        pixels_wide, pixels_high = (float(side) for side in image.getSize())
        scale = min(EMBLEM_BOX[0] / pixels_wide, EMBLEM_BOX[1] / pixels_high)
        width, height = pixels_wide * scale, pixels_high * scale
        x, y = (WIDTH - width) / 2, HEIGHT - MARGIN + 3 * mm - height
        box = (x, y, x + width, y + height)
        with tagger.element("Figure", alt=alt, bbox=box), tagger.content():
            canvas.drawImage(image, x, y, width, height)
        top = y - 7 * mm
    canvas.setFillColor(ACCENT)
    canvas.setFont(BOLD, 13)
    with tagger.element("P"), tagger.content():
        canvas.drawCentredString(WIDTH / 2, top, content.institution_name)
    canvas.setFont(REGULAR, 9)
    canvas.setFillColor(MUTED)
    with tagger.element("P"), tagger.content():
        canvas.drawCentredString(WIDTH / 2, top - 13, "2SoKroG · Interreg V-A Slovenija–Hrvatska")
    return top


def _language_column(
    column: _Column, content: CertificateContent, language: str, label: dict[str, str]
) -> None:
    with column.tagger.element("Sect", lang=language):
        column.text(label["heading"], size=17, font=BOLD, color=ACCENT, role="H1")
        column.space(4 * mm)
        column.text(label["certifies"], size=10, color=MUTED)
        column.text(content.learner_name, size=15, font=BOLD)
        column.text(label["completed"], size=10, color=MUTED)
        column.text(pick_text(content.course_titles, language), size=13, font=BOLD)
        column.text(label["workload"], size=10)
        levels = [_level_line(line, language) for line in content.competences]
        if levels:
            column.space(2 * mm)
            column.text(label["competences"], size=10, font=BOLD, role="H2")
            with column.tagger.element("L"):
                for line in levels:
                    column.bullet(line)
        column.space(2 * mm)
        column.text(label["issued"], size=10)
        if label["expires"]:
            column.text(label["expires"], size=10)


def _both(labels: list[dict[str, str]], key: str, languages: tuple[str, ...]) -> list[Run]:
    """The same label in each language, separated by slashes."""
    runs: list[Run] = []
    for index, (label, language) in enumerate(zip(labels, languages, strict=True)):
        if index:
            runs.append((" /", None))
        runs.append((" " + label[key] if index else label[key], language))
    return runs


def _signatory(canvas: Canvas, tagger: Tagger, content: CertificateContent, y: float) -> None:
    with tagger.artifact():
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, y, MARGIN + 70 * mm, y)
    canvas.setFillColor(INK)
    for text, font, size, offset in (
        (content.signatory_name, BOLD, 10, 12),
        (content.signatory_title, REGULAR, 9, 24),
        (content.institution_name, REGULAR, 9, 36),
    ):
        canvas.setFont(font, size)
        if text:
            with tagger.element("P"), tagger.content():
                canvas.drawString(MARGIN, y - offset, text)


def _qr_code(canvas: Canvas, tagger: Tagger, url: str, alt: str, y: float) -> None:
    size = 34 * mm
    x, bottom = WIDTH - MARGIN - size, y - size + 8 * mm
    box = (x, bottom, x + size, bottom + size)
    with tagger.element("Figure", alt=alt, bbox=box), tagger.content():
        _draw_qr(canvas, url, x, bottom, size)


def render_certificate(
    content: CertificateContent,
    languages: tuple[str, ...],
    attachment: pdfa.Attachment | None = None,
) -> bytes:
    """One A4 page; two languages stand side by side in columns, one language spans the page.

    The attachment (the signed credential) is carried inside as a PDF/A-3 associated file.
    """
    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1, initialFontName=REGULAR)
    tagger = Tagger(canvas, languages[0])
    labels = [_labels(language, content) for language in languages]
    top = _header(canvas, tagger, content, labels[0]["emblem"])

    gutter = 10 * mm
    column_width = (WIDTH - 2 * MARGIN - gutter * (len(languages) - 1)) / len(languages)
    bottoms = []
    for index, (language, label) in enumerate(zip(languages, labels, strict=True)):
        x = MARGIN + index * (column_width + gutter)
        column = _Column(canvas, tagger, x, top - 22 * mm, column_width)
        _language_column(column, content, language, label)
        bottoms.append(column.y)

    # Signatory, serial and the QR code that opens the public verification page.
    y = min(min(bottoms) - 12 * mm, 95 * mm)
    _signatory(canvas, tagger, content, y)
    _qr_code(canvas, tagger, content.verify_url, labels[0]["qr"], y)
    info = _Column(canvas, tagger, MARGIN, y - 52, WIDTH - 2 * MARGIN - 34 * mm - 6 * mm)
    info.runs([*_both(labels, "serial", languages), (": " + content.serial, None)])
    info.runs([*_both(labels, "code", languages), (": " + format_code(content.code), None)])
    info.runs(_both(labels, "verify", languages), color=MUTED)
    info.text(content.verify_url, size=9, color=ACCENT)

    # The co-financing statement of the project, in each language printed.
    footer = _Column(canvas, tagger, MARGIN, 30 * mm, WIDTH - 2 * MARGIN)
    for label, language in zip(labels, languages, strict=True):
        footer.text(label["funding"], size=7.5, color=MUTED, gap=1.25, lang=language)

    canvas.showPage()
    canvas.save()
    return pdfa.finish(buffer.getvalue(), tagger, _info(content, languages, labels), attachment)


def _info(
    content: CertificateContent, languages: tuple[str, ...], labels: list[dict[str, str]]
) -> pdfa.DocumentInfo:
    issued = content.issued_at or datetime.combine(content.issued_on, time(), tzinfo=UTC)
    course = pick_text(content.course_titles, languages[0])
    return pdfa.DocumentInfo(
        title=f"{labels[0]['heading']}: {content.learner_name} – {course} ({content.serial})",
        author=content.institution_name,
        subject=" / ".join(pick_text(content.course_titles, lang) for lang in languages),
        languages=languages,
        created_at=issued,
        modified_at=content.modified_at or issued,
    )


def attachment_description(language: str) -> str:
    with force_locale(language):
        return gettext(
            "The signed Open Badges 3.0 credential of this certificate, to verify it offline"
        )


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
