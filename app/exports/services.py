"""Exports: asked for, written with their progress, downloaded, and purged after a week.

The worker writes the file to a private temporary file, then hands it to the storage backend
(app.core.storage: STORAGE_DIR/exports, 0600 in a 0700 folder, or the database, so any app
server can serve it) under an unguessable key; it is only ever served through the download
view, which checks who asks.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import Response, current_app
from flask_babel import force_locale
from sqlalchemy import or_, select, update

from app.auth.models import Institution, User
from app.core.database import utcnow
from app.core.errors import DomainError
from app.core.storage import storage
from app.exports import writers
from app.exports.models import DONE, FORMATS, KINDS, QUEUED, RETRYING, RUNNING, Export
from app.extensions import db

KEEP_DAYS = 7  # EXPORT_KEEP_DAYS overrides
WRITERS = {"matrix": writers.write_matrix, "certificates": writers.write_certificates}
TOTALS = {"matrix": writers.matrix_total, "certificates": writers.certificates_total}
NAMES = {"matrix": "competences", "certificates": "certificates"}


class ExportRefused(DomainError):
    pass


def key_of(export: Export) -> str | None:
    """The export's key in the storage backend; None until it is written."""
    return f"exports/{export.filename}" if export.filename else None


def response(export: Export) -> Response | None:
    """The file as a download, or None when there is none (not written, or gone)."""
    key = key_of(export)
    if export.status != DONE or key is None or not storage().exists(key):
        return None
    return storage().response(key, max_age=0, download_name=download_name(export))


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
            Export.status.in_((QUEUED, RUNNING, RETRYING)),
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
    # Streamed to a private temporary file first (mkstemp: mode 0600): memory stays flat
    # however large the institution, and a half-written file is never where it is served.
    descriptor, temporary = tempfile.mkstemp(prefix="sokrog-export-", suffix="." + fmt)
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
        data = Path(temporary).read_bytes()
    finally:
        Path(temporary).unlink(missing_ok=True)
    old = key_of(export)
    storage().write(f"exports/{name}", data)
    export.filename, export.size = name, len(data)
    export.status, export.rows_done, export.finished_at = DONE, written, utcnow()
    if old is not None and old != key_of(export):
        storage().delete(old)
    db.session.commit()


def purge(older_than: timedelta | None = None) -> int:
    """Delete exports (rows and files) older than EXPORT_KEEP_DAYS; the number deleted."""
    keep = older_than or timedelta(days=int(current_app.config.get("EXPORT_KEEP_DAYS", KEEP_DAYS)))
    old = list(db.session.scalars(select(Export).where(Export.created_at < utcnow() - keep)))
    for export in old:
        key = key_of(export)
        if key is not None:
            storage().delete(key)
        db.session.delete(export)
    return len(old)
