"""`flask demo seed`: the demo accounts, never in production."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.demo.services import seed_demo
from app.extensions import db


def init_app(app: Flask) -> None:
    group = AppGroup("demo", help="Demo data.")

    @group.command("seed")
    def seed_command() -> None:
        """Create the partner institutions and one demo account per role (idempotent)."""
        if current_app.config["IS_PRODUCTION"]:
            raise click.ClickException("refusing to create demo accounts in production")
        accounts = seed_demo()
        db.session.commit()
        click.echo("Demo logins (e-mail / password):")
        for account in accounts:
            role = ", ".join(account.roles) or "learner"
            click.echo(f"  {role:<8} {account.email} / {account.password}")

    app.cli.add_command(group)
