"""Exports: asked for, written with their progress, downloaded, and purged after a week.

Files live in STORAGE_DIR/exports, private (0600 in a 0700 folder), under unguessable names,
and are only ever served through the download view, which checks who asks.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import or_, select, update

from app.auth.models import Institution, User
from app.core.database import utcnow
from app.core.errors import DomainError
from app.exports import writers
from app.exports.models import DONE, FORMATS, KINDS, QUEUED, RUNNING, Export
from app.extensions import db

KEEP_DAYS = 7  # EXPORT_KEEP_DAYS overrides
WRITERS = {"matrix": writers.write_matrix, "certificates": writers.write_certificates}
TOTALS = {"matrix": writers.matrix_total, "certificates": writers.certificates_total}
NAMES = {"matrix": "competences", "certificates": "certificates"}


class ExportRefused(DomainError):
    pass


def folder() -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / "exports"


def path_of(export: Export) -> Path | None:
    return folder() / export.filename if export.filename else None


def may_request(user: User, institution: Institution) -> bool:
    """HR export their own institution; administrators any (as they see any matrix)."""
    if user.has_role("admin"):
        return True
    return user.has_role("hr") and user.institution_id == institution.id


def may_see(user: User, export: Export) -> bool:
    """Only who asked for it, and the administrators of the institution it is about."""
    if export.user_id == user.id:
        return True
    return user.has_role("admin") and user.institution_id == export.institution_id


def visible_to(user: User) -> list[Export]:
    """The exports a person may see, newest first."""
    query = select(Export).order_by(Export.created_at.desc(), Export.id.desc()).limit(50)
    if user.has_role("admin"):
        query = query.where(
            or_(Export.user_id == user.id, Export.institution_id == user.institution_id)
        )
    else:
        query = query.where(Export.user_id == user.id)
    return list(db.session.scalars(query))


def new_export(
    user: User, institution: Institution, kind: str, fmt: str, language: str
) -> tuple[Export, bool]:
    """An export record for the worker to write, and whether it is new: the same export asked
    for again while the first is still waiting or being written is the first."""
    if kind not in KINDS or fmt not in FORMATS:
        raise ExportRefused("unknown kind or format")
    if not may_request(user, institution):
        raise ExportRefused("not this institution")
    waiting = db.session.scalar(
        select(Export).where(
            Export.user_id == user.id,
            Export.institution_id == institution.id,
            Export.kind == kind,
            Export.format == fmt,
            Export.status.in_((QUEUED, RUNNING)),
        )
    )
    if waiting is not None:
        return waiting, False
    export = Export(
        user_id=user.id, institution_id=institution.id, kind=kind, format=fmt, language=language
    )
    db.session.add(export)
    db.session.flush()
    return export, True


def _report_progress(export_id: int, done: int) -> None:
    # On a connection of its own: the job's session is reading the rows it streams, and a
    # commit there would expire them all.
    with db.engine.begin() as connection:
        connection.execute(update(Export).where(Export.id == export_id).values(rows_done=done))


def download_name(export: Export) -> str:
    day = (export.finished_at or export.created_at).date().isoformat()
    return f"{NAMES[export.kind]}-{export.institution.slug}-{day}.{export.format}"


def write(export: Export) -> None:
    """Write the export's file (again, if a retry): status, progress and file as it goes."""
    export_id, kind, fmt = export.id, export.kind, export.format
    institution_id, language = export.institution_id, export.language
    export.status, export.error, export.rows_done = RUNNING, "", 0
    export.rows_total = TOTALS[kind](institution_id)
    db.session.commit()
    target = folder()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(dir=target, prefix=".tmp-", suffix="." + fmt)
    os.close(descriptor)
    try:
        with force_locale(language):  # column names and labels in the asker's language
            written = WRITERS[kind](
                institution_id,
                fmt,
                language,
                temporary,
                lambda done: _report_progress(export_id, done),
            )
        name = f"{export_id}-{secrets.token_urlsafe(16)}.{fmt}"
        os.replace(temporary, target / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    old = path_of(export)
    export.filename, export.size = name, (target / name).stat().st_size
    export.status, export.rows_done, export.finished_at = DONE, written, utcnow()
    db.session.commit()
    if old is not None and old.name != name:
        old.unlink(missing_ok=True)


def purge(older_than: timedelta | None = None) -> int:
    """Delete exports (rows and files) older than EXPORT_KEEP_DAYS; the number deleted."""
    keep = older_than or timedelta(days=int(current_app.config.get("EXPORT_KEEP_DAYS", KEEP_DAYS)))
    old = list(db.session.scalars(select(Export).where(Export.created_at < utcnow() - keep)))
    for export in old:
        path = path_of(export)
        if path is not None:
            path.unlink(missing_ok=True)
        db.session.delete(export)
    # Files a killed job left half-written.
    for stale in folder().glob(".tmp-*") if folder().is_dir() else ():
        if stale.stat().st_mtime < (utcnow() - timedelta(days=1)).timestamp():
            stale.unlink(missing_ok=True)
    return len(old)
