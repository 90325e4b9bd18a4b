"""`flask translate`: extract UI strings, update the catalogues, and check they are complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from flask import Flask
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
# English strings are written in English in the code; its catalogue repeats them.
SOURCE_LANGUAGE = "en"
EXPECTED_PLURALS = {"sl": 4, "hr": 3, "en": 2}


def catalogue_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def extract(output: Path = TEMPLATE) -> None:
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output",
         "--project", "2SoKroG", "-o", str(output), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip


def fill_source_language() -> None:
    path = catalogue_path(SOURCE_LANGUAGE)
    catalogue = read_catalogue(path)
    for message in catalogue:
        if not message.id:
            continue
        message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalogue, sort_output=True, omit_header=False, width=100)


def problems(languages: tuple[str, ...] = ("sl", "hr", "en")) -> list[str]:
    """What keeps the catalogues from being complete: missing, untranslated or fuzzy entries."""
    template = read_catalogue(TEMPLATE)
    wanted = {message.id for message in template if message.id}
    found: list[str] = []
    for language in languages:
        path = catalogue_path(language)
        catalogue = read_catalogue(path)
        if catalogue.num_plurals != EXPECTED_PLURALS[language]:
            found.append(f"{path}: {catalogue.num_plurals} plural forms, expected "
                         f"{EXPECTED_PLURALS[language]}")  # fmt: skip
        present = {message.id for message in catalogue if message.id}
        for missing in sorted(wanted - present, key=str):
            found.append(f"{path}: missing {missing!r}")
        for message in catalogue:
            if not message.id or message.id not in wanted:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if "fuzzy" in message.flags:
                found.append(f"{path}:{message.lineno}: fuzzy {message.id!r}")
            elif not all(strings) or len(strings) != (
                catalogue.num_plurals if message.pluralizable else 1
            ):
                found.append(f"{path}:{message.lineno}: untranslated {message.id!r}")
    return found


def init_app(app: Flask) -> None:
    group = AppGroup("translate", help="UI string catalogues (translations/).")

    @group.command("update")
    def update_command() -> None:
        """Extract strings into messages.pot, merge them into sl, hr, en; fill en."""
        extract()
        subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "babel.messages.frontend", "update", "-i", str(TEMPLATE),
             "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete"],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        fill_source_language()
        click.echo("Catalogues updated; translate what `flask translate check` lists.")

    @group.command("check")
    def check_command() -> None:
        """Exit 1 unless every catalogue is complete, with no fuzzy entries."""
        found = problems()
        for line in found:
            click.echo(line, err=True)
        if found:
            sys.exit(1)
        click.echo("All catalogues complete.")

    app.cli.add_command(group)
