"""The privacy jobs: building a data export, and the daily retention sweeps."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import select

from app.core import jobs
from app.core.database import utcnow
from app.extensions import db
from app.privacy import export, retention
from app.privacy.models import QUEUED, DataExport


@jobs.job()
def build_export(export_id: int) -> None:
    """Write the person's export; idempotent (a retry of a built export does nothing)."""
    row = db.session.get(DataExport, export_id)
    if row is None or row.status != QUEUED:
        return
    export.build(row)
    db.session.commit()


@jobs.periodic(crontab(minute="15", hour="3"))
def purge_old_attempts() -> None:
    """Every night: attempts past the retention period go (ATTEMPT_RETENTION_YEARS)."""
    years = int(current_app.config["ATTEMPT_RETENTION_YEARS"])
    if years > 0:
        retention.purge_attempts(retention.cutoff(years))
        db.session.commit()


@jobs.periodic(crontab(minute="45", hour="3"))
def delete_old_exports() -> None:
    """Exports are downloadable for DATA_EXPORT_DAYS days, then deleted with their files."""
    before = utcnow() - timedelta(days=int(current_app.config["DATA_EXPORT_DAYS"]))
    for row in db.session.scalars(select(DataExport).where(DataExport.created_at < before)):
        export.remove_files(row.id)
        db.session.delete(row)
    db.session.commit()
