"""Exports are written by the job worker, never in the request that asks for them."""

from __future__ import annotations

from huey import crontab
from huey.api import Task
from sqlalchemy import update

from app.auth.models import Institution, User
from app.core import jobs
from app.core.database import utcnow
from app.exports import services
from app.exports.models import DONE, FAILED, RETRYING, Export
from app.extensions import db


def queue_export(
    user: User, institution: Institution, kind: str, fmt: str, language: str
) -> Export:
    """Ask for an export: written by the worker once this transaction commits."""
    export, created = services.new_export(user, institution, kind, fmt, language)
    if created:
        jobs.after_commit(run_export, export.id)
    return export


@jobs.job(retries=2, retry_delay=60, context=True)
def run_export(export_id: int, task: Task | None = None) -> None:
    """Write the file; a failure is shown on the export's page as retried, or as final once
    the worker has no retry left (`task` is huey's, None when called directly)."""
    export = db.session.get(Export, export_id)
    if export is None or export.status == DONE:
        return
    try:
        services.write(export)
    except Exception as error:
        db.session.rollback()
        final = task is None or not task.retries
        db.session.execute(
            update(Export)
            .where(Export.id == export_id)
            .values(
                status=FAILED if final else RETRYING,
                error=str(error)[:1000],
                finished_at=utcnow() if final else None,
            )
        )
        db.session.commit()
        raise


@jobs.periodic(crontab(hour="2", minute="15"))
def purge_exports() -> None:
    """Every night: exports older than a week go, files and all."""
    services.purge()
    db.session.commit()
