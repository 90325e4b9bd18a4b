"""`flask demo seed`: the demo accounts, never in production."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.demo.services import seed_demo
from app.demo.synthetic import seed_employees
from app.extensions import db


def init_app(app: Flask) -> None:
    group = AppGroup("demo", help="Demo data.")

    @group.command("seed")
    @click.option(
        "--employees",
        type=click.IntRange(0, 100_000),
        default=0,
        help="Also create this many synthetic employees with learning data.",
    )
    @click.option(
        "--seed",
        type=int,
        default=2026,
        show_default=True,
        help="The same seed gives the same synthetic employees.",
    )
    def seed_command(employees: int, seed: int) -> None:
        """Create the partner institutions and one demo account per role (idempotent)."""
        if current_app.config["IS_PRODUCTION"]:
            raise click.ClickException("refusing to create demo accounts in production")
        accounts = seed_demo()
        created = seed_employees(employees, seed) if employees else 0
        db.session.commit()
        if employees:
            click.echo(f"{created} synthetic employees created ({employees - created} existed)")
        click.echo("Demo logins (e-mail / password):")
        for account in accounts:
            role = ", ".join(account.roles) or "learner"
            click.echo(f"  {role:<8} {account.email} / {account.password}")

    app.cli.add_command(group)
