"""Draw the curriculum's diagrams as PNG, one per language, from the words kept here.

Run `python scripts/course_diagrams.py` after changing a label, and commit the PNGs. The images
are made here rather than by hand so that a trainer can correct a word in git and draw the
diagram again; SVG is not among the image types a course may use.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
WIDTH, BOX_W, BOX_H, GAP = 1200, 500, 96, 34
COLUMNS = (70, 630)
INK, LINE, SI_FILL, HR_FILL = "#1b1b1b", "#444444", "#e3eefb", "#fbeee3"

# The two routes from a last-resort benefit to social activation, as the basics course
# teaches them (lesson 1 and the case studies); each box is (heading, detail). The Croatian
# column follows Article 35 of the Social Welfare Act (NN 71/23) and the rulebook NN 152/22.
PROCEDURES = {
    "sl": {
        "title": "Od denarne pomoči do socialne aktivacije",
        "columns": ("Slovenija", "Hrvaška"),
        "si": [
            ("Vloga na CSD", "denarna socialna pomoč (ZSVarPre)"),
            ("Evidenca ZRSZ", "brezposelni ali začasno nezaposljivi (ZUTD)"),
            ("Skupni dogovor CSD in ZRSZ", "z osebo: prvi cilj in koraki"),
            ("Program socialne aktivacije", "individualni načrt aktivacije"),
            ("Spremljanje", "pregled načrta, naslednji korak"),
        ],
        "hr": [
            ("Vloga na HZSR", "zajamčena minimalna naknada (ZSS)"),
            ("Odločba HZSR", "priznana pravica"),
            ("Obvestilo službi za zaposlovanje", "v osmih dneh (35. člen ZSS)"),
            ("Sodelovanje HZSR in HZZ", "ukrepi socialne vključenosti (NN 152/22)"),
            ("Spremljanje", "pregled načrta, naslednji korak"),
        ],
    },
    "hr": {
        "title": "Od novčane pomoći do socijalne aktivacije",
        "columns": ("Slovenija", "Hrvatska"),
        "si": [
            ("Zahtjev u CSD-u", "novčana socijalna pomoć (ZSVarPre)"),
            ("Evidencija ZRSZ-a", "nezaposleni ili privremeno nezapošljivi (ZUTD)"),
            ("Zajednički dogovor CSD-a i ZRSZ-a", "s osobom: prvi cilj i koraci"),
            ("Program socijalne aktivacije", "individualni plan aktivacije"),
            ("Praćenje", "preispitivanje plana, sljedeći korak"),
        ],
        "hr": [
            ("Zahtjev HZSR-u", "zajamčena minimalna naknada (ZSS)"),
            ("Rješenje HZSR-a", "priznato pravo"),
            ("Obavijest službi za zapošljavanje", "u roku od osam dana (čl. 35. ZSS)"),
            ("Suradnja HZSR-a i HZZ-a", "mjere socijalne uključenosti (NN 152/22)"),
            ("Praćenje", "preispitivanje plana, sljedeći korak"),
        ],
    },
    "en": {
        "title": "From a last-resort benefit to social activation",
        "columns": ("Slovenia", "Croatia"),
        "si": [
            ("Application at the CSD", "financial social assistance (ZSVarPre)"),
            ("ZRSZ record", "unemployed or temporarily unemployable (ZUTD)"),
            ("Joint agreement, CSD and ZRSZ", "with the person: first goal and steps"),
            ("Social activation programme", "individual activation plan"),
            ("Review", "review the plan, next step"),
        ],
        "hr": [
            ("Claim at HZSR", "guaranteed minimum benefit (ZSS)"),
            ("HZSR decision", "the right is granted"),
            ("Notice to the employment service", "within eight days (Art. 35 ZSS)"),
            ("HZSR and HZZ cooperate", "social inclusion measures (NN 152/22)"),
            ("Review", "review the plan, next step"),
        ],
    },
}


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _arrow(draw: ImageDraw.ImageDraw, x: int, top: int, bottom: int) -> None:
    draw.line([(x, top), (x, bottom - 10)], fill=LINE, width=3)
    draw.polygon([(x - 9, bottom - 12), (x + 9, bottom - 12), (x, bottom)], fill=LINE)


def draw_procedure(language: str) -> Image.Image:
    words = PROCEDURES[language]
    steps = len(words["si"])
    height = 150 + steps * (BOX_H + GAP) + 20
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    title, heading, body = _font(FONT_BOLD, 34), _font(FONT_BOLD, 22), _font(FONT, 19)
    draw.text((WIDTH // 2, 30), words["title"], font=title, fill=INK, anchor="ma")
    for column, (left, key, fill) in enumerate(
        ((COLUMNS[0], "si", SI_FILL), (COLUMNS[1], "hr", HR_FILL))
    ):
        centre = left + BOX_W // 2
        draw.text((centre, 90), words["columns"][column], font=heading, fill=INK, anchor="ma")
        for index, (name, detail) in enumerate(words[key]):
            top = 130 + index * (BOX_H + GAP)
            draw.rounded_rectangle(
                [left, top, left + BOX_W, top + BOX_H], radius=14, fill=fill, outline=LINE, width=2
            )
            draw.text((centre, top + 20), name, font=heading, fill=INK, anchor="ma")
            draw.text((centre, top + 56), detail, font=body, fill=INK, anchor="ma")
            if index + 1 < steps:
                _arrow(draw, centre, top + BOX_H, top + BOX_H + GAP)
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=Path, default=ROOT / "courses")
    args = parser.parse_args()
    target = args.courses / "social-activation-basics" / "images"
    target.mkdir(parents=True, exist_ok=True)
    for language in PROCEDURES:
        path = target / f"procedure.{language}.png"
        draw_procedure(language).save(path, optimize=True)
        print(path)


if __name__ == "__main__":
    main()
