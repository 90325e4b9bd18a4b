"""`flask reports matrix`: the HR competence matrix as CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.auth.services import institution_by_slug, units_of
from app.competences import reports


def init_app(app: Flask) -> None:
    reports_group = AppGroup("reports", help="Reports for HR.")

    @reports_group.command("matrix")
    @click.option("--institution", "slug", help="Institution slug.")
    @click.option("--all", "everyone", is_flag=True, help="Every institution in one matrix.")
    @click.option(
        "--format", "kind", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
    )
    @click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
    @click.option(
        "--language", type=click.Choice(["sl", "hr", "en"]), default="en", show_default=True
    )
    @click.option("--unit", "unit_code", help="A unit's code: its people and the units under it.")
    def matrix_command(
        slug: str | None,
        everyone: bool,
        kind: str,
        output: Path,
        language: str,
        unit_code: str | None,
    ) -> None:
        """Export the competence matrix of one institution (or --all), as the HR page shows it."""
        if bool(slug) == everyone:
            raise click.UsageError("give either --institution SLUG or --all")
        institution_id = None
        if slug:
            institution = institution_by_slug(slug)
            if institution is None:
                raise click.BadParameter(
                    f"unknown institution '{slug}'", param_hint="--institution"
                )
            institution_id = institution.id
        unit_id = None
        if unit_code:
            unit = next((u for u in units_of(institution_id or 0) if u.code == unit_code), None)
            if unit is None:
                raise click.BadParameter(
                    f"no unit '{unit_code}' at the institution (--unit needs --institution)",
                    param_hint="--unit",
                )
            unit_id = unit.id
        query = reports.MatrixFilter(institution_id=institution_id, unit_id=unit_id)
        matrix = reports.stream_matrix(query)
        if kind == "csv":
            # utf-8-sig: the BOM Excel needs to read č, š, ž, đ, ć.
            with output.open("w", encoding="utf-8-sig", newline="") as handle:
                written = reports.write_csv(matrix, language, handle)
        else:
            written = reports.write_xlsx(matrix, language, str(output))
        click.echo(
            f"{written} employees x {len(matrix.competences)} competences written to {output}"
        )

    app.cli.add_command(reports_group)
