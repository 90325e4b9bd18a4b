"""`flask audit verify`: recompute the hash chain of the audit trail."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.audit import chain

group = AppGroup("audit", help="The audit trail.")


@group.command("verify")
def verify_command() -> None:
    """Check every entry's hash and link; exit 1 if an entry was changed or deleted."""
    result = chain.verify()
    for seq, problem in result.problems:
        click.echo(f"entry {seq}: {problem}", err=True)
    if not result.is_intact:
        raise SystemExit(1)
    click.echo(f"{result.checked} entries, chain intact; head {result.head_seq} {result.head_hash}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
