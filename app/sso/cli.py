"""`flask institutions sso`: an institution's single sign-on, from the operator's shell."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask_babel import force_locale

from app.auth import services
from app.auth.cli import institutions
from app.core.errors import DomainError
from app.extensions import db
from app.sso import settings
from app.sso.models import DEFAULT_CLAIMS, DEFAULT_SCOPES


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, item = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"write {option} as NAME=VALUE, not {value!r}")
        pairs[key.strip()] = item.strip()
    return pairs


def _secret(path: str | None) -> str | None:
    if path is None:
        return None
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    secret = text.strip()
    if not secret:
        raise click.BadParameter("the file holds no secret", param_hint="--client-secret-file")
    return secret


def _show(slug: str) -> None:
    institution = services.institution_by_slug(slug)
    provider = settings.provider_for(institution.id) if institution else None
    if institution is None or provider is None:
        click.echo(f"{slug}: no single sign-on")
        return
    click.echo(f"{slug}: issuer {provider.issuer}, client {provider.client_id}")
    click.echo(f"  scopes: {provider.scopes}; enabled: {provider.is_enabled}; "
               f"accounts at first sign-in: {provider.is_jit_enabled}")  # fmt: skip
    click.echo(f"  claims: {', '.join(f'{k}={provider.claim(k)}' for k in DEFAULT_CLAIMS)}")
    if provider.role_map:
        mapping = ", ".join(f"{value}={role}" for value, role in sorted(provider.role_map.items()))
        click.echo(f"  roles from {provider.role_claim}: {mapping}")
    click.echo(f"  passwords: {'allowed' if institution.is_password_login_allowed else 'off'}")


@institutions.command("sso")
@click.option("--institution", "slug", required=True, help="Institution slug.")
@click.option("--issuer", help="The provider's issuer URL (https).")
@click.option("--client-id")
@click.option(
    "--client-secret-file",
    help="A file holding the client secret ('-': standard input); never given on the line.",
)
@click.option("--scope", "scopes", help=f"Scopes, space-separated (default '{DEFAULT_SCOPES}').")
@click.option(
    "--claim", "claims", multiple=True, help="FIELD=CLAIM for email, name, job_role, unit."
)
@click.option("--role-claim", help="The claim holding groups or roles, for --role.")
@click.option("--role", "roles", multiple=True, help="VALUE=ROLE: this claim value gives ROLE.")
@click.option(
    "--disable-passwords/--allow-passwords",
    default=None,
    help="Switch the institution's passwords off (single sign-on only) or on.",
)
@click.option("--jit/--no-jit", default=None, help="Create accounts at the first sign-in.")
@click.option(
    "--enable/--disable", "enabled", default=None, help="Switch single sign-on on or off."
)
@click.option("--show", is_flag=True, help="Print the settings (never the secret) and stop.")
def sso_command(slug, issuer, client_id, client_secret_file, scopes, claims, role_claim, roles,
                disable_passwords, jit, enabled, show) -> None:  # fmt: skip
    """Set up single sign-on (OpenID Connect) for an institution; unchanged options stay."""
    if show:
        _show(slug)
        return
    institution = services.institution_by_slug(slug)
    if institution is None:
        raise click.BadParameter(f"unknown institution '{slug}'", param_hint="--institution")
    current = settings.provider_for(institution.id)
    if current is None and not (issuer and client_id and client_secret_file):
        raise click.UsageError("a first setup needs --issuer, --client-id and --client-secret-file")
    mapped_claims = dict(current.claims or DEFAULT_CLAIMS) if current else dict(DEFAULT_CLAIMS)
    mapped_claims.update(_pairs(claims, "--claim"))
    data = settings.SsoSettings(
        issuer=issuer or (current.issuer if current else ""),
        client_id=client_id or (current.client_id if current else ""),
        client_secret=_secret(client_secret_file),
        scopes=scopes or (current.scopes if current else DEFAULT_SCOPES),
        claims=mapped_claims,
        role_claim=role_claim
        if role_claim is not None
        else (current.role_claim if current else ""),
        role_map=_pairs(roles, "--role") if roles else dict(current.role_map if current else {}),
        is_enabled=enabled if enabled is not None else (current.is_enabled if current else True),
        is_jit_enabled=jit if jit is not None else (current.is_jit_enabled if current else True),
        is_password_login_allowed=(
            institution.is_password_login_allowed
            if disable_passwords is None
            else not disable_passwords
        ),
    )
    try:
        # The operator reads English, as from every command (the services speak the
        # platform's default language outside a request).
        with force_locale("en"):
            settings.save_settings(institution, data)
    except DomainError as error:
        raise click.UsageError(str(error)) from None
    db.session.commit()
    _show(slug)


@institutions.command("sso-rewrap")
def rewrap_command() -> None:
    """Encrypt every client secret with the newest key-encryption key (after a KEK rotation)."""
    count = settings.rewrap_secrets()
    db.session.commit()
    click.echo(f"{count} client secrets encrypted with the newest key")


def init_app(app: Flask) -> None:
    """The commands join `flask institutions`, which app.auth.cli registers."""
