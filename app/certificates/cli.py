"""`flask certificates keygen|keys|compromise|reissue|issue|issue-pending|export|verify|revoke`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth.services import institution_by_slug, institutions, user_by_email
from app.certificates import europass, handissue, keys, reissue, services, stored, verification
from app.certificates.pdf import format_code
from app.core import kek
from app.core.errors import DomainError
from app.courses.models import Course
from app.extensions import db

group = AppGroup("certificates", help="Issue, export, verify and revoke certificates.")


@group.command("keygen")
@click.option("--institution", "slug", help="The issuing institution's slug.")
@click.option(
    "--missing", is_flag=True, help="A first key for every institution that has none yet."
)
def keygen(slug: str | None, missing: bool) -> None:
    """Create an institution's signing key pair; a previous key is retired, not deleted.

    Certificates of completed courses that waited for the key are issued right after.
    """
    if bool(slug) == missing:
        raise click.UsageError("give either --institution SLUG or --missing")
    if missing:
        targets = [row for row in institutions() if keys.active_key(row.id) is None]
    else:
        institution = institution_by_slug(slug or "")
        if institution is None:
            raise click.ClickException(
                f"unknown institution '{slug}' (see `flask institutions list`)"
            )
        targets = [institution]
    for institution in targets:
        try:
            key = keys.generate_key(institution)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
        # The private key is never printed: it is in the database, encrypted with the KEK.
        click.echo(f"institution: {institution.slug}")
        click.echo(f"public key: {key.public_key_multibase}")
        click.echo("private key stored encrypted (SIGNING_KEY_ENCRYPTION_KEY)")
        _issue_pending(institution.id)


@group.command("keys")
@click.option("--institution", "slug", help="Only this institution's keys.")
@click.option(
    "--rewrap",
    is_flag=True,
    help="Encrypt every private key with the first SIGNING_KEY_ENCRYPTION_KEY (KEK rotation).",
)
def list_keys(slug: str | None, rewrap: bool) -> None:
    """List the signing keys with their state: active, retired or compromised."""
    if rewrap:
        try:
            count = keys.rewrap_all()
        except kek.KekError as error:
            db.session.rollback()
            raise click.ClickException(
                f"a private key cannot be decrypted with any configured KEK: {error}"
            ) from error
        db.session.commit()
        click.echo(f"{count} private key(s) encrypted with the first key-encryption key")
    rows = keys.all_keys()
    if slug:
        rows = [key for key in rows if key.institution.slug == slug]
    waiting = reissue.awaiting_counts()
    for key in rows:
        state = keys.state_of(key)
        since = key.compromised_at or key.retired_at or key.created_at
        line = f"{key.institution.slug}\t{key.public_key_multibase}\t{state}\t{since:%Y-%m-%d}"
        if state == keys.COMPROMISED:
            line += f"\t{waiting.get(key.id, 0)} to re-issue\t{key.compromised_reason}"
        click.echo(line)


@group.command("compromise")
@click.option("--key", "multibase", required=True, help="The public key (multibase) to revoke.")
@click.option("--reason", required=True, help="What happened: kept with the key.")
def compromise(multibase: str, reason: str) -> None:
    """Revoke a key that may be in other hands; an active key is replaced by a new one.

    What it signed stops verifying; `flask certificates reissue` signs it again.
    """
    key = keys.key_by_multibase(multibase)
    if key is None:
        raise click.ClickException(f"no signing key {multibase} (see `flask certificates keys`)")
    try:
        replacement = keys.compromise(key, reason)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"compromised: {multibase}")
    if replacement is not None:
        click.echo(f"new active key: {replacement.public_key_multibase}")
    count = len(reissue.awaiting(key.institution_id))
    click.echo(f"{count} certificate(s) to re-issue: run `flask certificates reissue`")


@group.command("reissue")
@click.option("--institution", "slug", help="Only this institution's certificates.")
def reissue_command(slug: str | None) -> None:
    """Sign again, with the active key, every credential a compromised key signed.

    Its stored PDFs are rendered again, since they carry the credential; old copies of them
    no longer match a stored hash and `verify` says they were replaced.
    """
    institution_id = None
    if slug:
        institution = institution_by_slug(slug)
        if institution is None:
            raise click.ClickException(f"unknown institution '{slug}'")
        institution_id = institution.id
    try:
        done = reissue.reissue_all(institution_id)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    for certificate in done:
        click.echo(f"re-issued {certificate.serial} (credential signed again, PDF rendered again)")
    click.echo(f"{len(done)} certificate(s) re-issued")


def _issue_pending(institution_id: int | None) -> None:
    issued = handissue.issue_pending(institution_id)
    db.session.commit()
    for certificate in issued:
        click.echo(f"issued {certificate.serial} (it waited for the signing key)")


@group.command("issue-pending")
@click.option("--institution", "slug", help="Only this institution's courses.")
def issue_pending(slug: str | None) -> None:
    """Issue the certificates of completed courses that are still missing (no key then)."""
    institution_id = None
    if slug:
        institution = institution_by_slug(slug)
        if institution is None:
            raise click.ClickException(f"unknown institution '{slug}'")
        institution_id = institution.id
    _issue_pending(institution_id)


@group.command("issue")
@click.option("--user", "email", required=True, help="The learner's e-mail.")
@click.option("--course", "slug", required=True, help="The course slug.")
@click.option(
    "--reason",
    required=True,
    help="Why it is issued by hand (the training held in person): recorded with it.",
)
@click.option("--by", "by_email", help="The trainer or administrator who issues it, if not you.")
def issue(email: str, slug: str, reason: str, by_email: str | None) -> None:
    """Issue a certificate by hand (an in-person training); once per learner and course."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with the e-mail {email}")
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"no course '{slug}' (run `flask courses sync`)")
    by = None
    if by_email:
        by = user_by_email(by_email)
        if by is None:
            raise click.ClickException(f"no account with the e-mail {by_email}")
    try:
        certificate, created = handissue.issue_by_hand(user, course, by, reason)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    if not created:
        click.echo("already issued:", err=True)
    click.echo(f"serial: {certificate.serial}")
    click.echo(f"code: {format_code(certificate.code)}")


def _certificate(code: str):
    certificate = services.find_by_code(code)
    if certificate is None:
        raise click.ClickException(f"no certificate with the code {code}")
    return certificate


@group.command("export")
@click.option("--code", required=True, help="The verification code.")
@click.option(
    "--format",
    "kind",
    type=click.Choice(["pdf", "ob3", "edc"]),
    required=True,
    help="pdf, ob3 (Open Badges 3.0) or edc (Europass European Digital Credential).",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export(code: str, kind: str, output: Path) -> None:
    """Write the certificate's PDF, its signed Open Badges 3.0 credential or its signed
    Europass credential (EDC) to a file."""
    certificate = _certificate(code)
    if kind == "pdf":
        output.write_bytes(stored.pdf_bytes(certificate))
    elif kind == "edc":
        try:
            text = europass.credential_json(certificate)
        except DomainError as error:
            raise click.ClickException(str(error)) from error
        output.write_text(text + "\n", encoding="utf-8")
    else:
        output.write_text(services.credential_json(certificate) + "\n", encoding="utf-8")
    db.session.commit()
    click.echo(f"{certificate.serial} -> {output}")


@group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--pdf",
    "embedded",
    is_flag=True,
    help="Check the credential embedded in a certificate PDF, not the PDF's stored hash.",
)
def verify(file: Path, embedded: bool) -> None:
    """Check a credential (signature, key, expiry, revocation) or a PDF; exit 1 if not valid.

    A PDF is checked by its hash against the copy the issuer stored; with --pdf, by the signed
    credential it carries (credential.json), which works for any copy of the PDF.
    """
    data = file.read_bytes()
    result = verification.verify_pdf(data) if embedded else verification.verify_file(data)
    if not result.ok:
        click.echo(f"INVALID: {result.reason}", err=True)
        sys.exit(1)
    click.echo(result.reason)
    for line in result.details:
        click.echo(f"  {line}")


@group.command("revoke")
@click.option("--code", required=True, help="The verification code.")
@click.option("--reason", required=True, help="Why: shown on the public verification page.")
@click.option("--by", "email", required=True, help="The administrator's e-mail.")
def revoke(code: str, reason: str, email: str) -> None:
    """Revoke a certificate."""
    admin = user_by_email(email)
    if admin is None or not admin.has_role("admin"):
        raise click.ClickException(f"{email} is not an administrator")
    certificate = _certificate(code)
    try:
        services.revoke(certificate, admin, reason)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"revoked {certificate.serial}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
