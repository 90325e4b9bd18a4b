"""Sending the outbox to the learning record store, by jobs, until each statement is accepted.

Each statement is PUT under its own id (`/statements?statementId=`): an LRS keeps one
statement per id, so a retry after a lost answer cannot record it twice. A network error or a
5xx is retried by the job (doubling delays) and, after that, by the periodic resend; a 4xx
means the LRS refuses this statement, which then waits in the outbox, marked refused, for an
administrator (and is in the audit trail).
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from flask import current_app
from huey import crontab
from sqlalchemy import select

from app.core import events, jobs
from app.core.database import utcnow
from app.extensions import db
from app.xapi.models import PENDING, REFUSED, SENT, XapiStatement

log = logging.getLogger(__name__)
VERSION = "1.0.3"
TIMEOUT = 20
RESEND_BATCH = 500


class LrsUnavailable(Exception):
    """The LRS did not answer, or answered with a server error: try again later."""


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str


def _endpoint() -> str:
    url = str(current_app.config["XAPI_LRS_URL"]).rstrip("/")
    return url if url.endswith("/statements") else f"{url}/statements"


def _headers() -> dict[str, str]:
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": VERSION}
    key, secret = current_app.config["XAPI_LRS_KEY"], current_app.config["XAPI_LRS_SECRET"]
    if key:
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return headers


def put(statement: dict[str, Any]) -> Refusal | None:
    """PUT one statement; None when the LRS has it (now or from an earlier try)."""
    url = f"{_endpoint()}?statementId={statement['id']}"
    if not url.startswith(("http://", "https://")):
        raise LrsUnavailable(f"XAPI_LRS_URL must be an http(s) address, not {url[:30]!r}")
    body = json.dumps(statement).encode()
    request = urllib.request.Request(url, data=body, headers=_headers(), method="PUT")  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310  # nosec B310 - http(s) only, checked above
            response.read()
        return None
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")[:1000]
        # A 409 is another statement under this id (the same one is accepted again, 204):
        # a conflict for a person to look at, like any other refusal.
        if 400 <= error.code < 500:
            return Refusal(error.code, text)
        raise LrsUnavailable(f"{error.code}: {text}") from error
    except (urllib.error.URLError, OSError) as error:
        raise LrsUnavailable(str(error)) from error


def deliver(row: XapiStatement) -> bool:
    """Send one outbox row; True when it is sent or refused (settled), False to retry."""
    row.tries += 1
    try:
        refusal = put(row.statement)
    except LrsUnavailable as error:
        row.error = str(error)[:2000]
        return False
    if refusal is None:
        row.status, row.sent_at, row.error = SENT, utcnow(), ""
        return True
    row.status, row.error = REFUSED, f"{refusal.status}: {refusal.message}"
    log.warning("the LRS refused statement %s: %s", row.statement_id, row.error)
    events.xapi_statement_refused.send(
        None, statement_id=row.statement_id, user_id=row.user_id, status=refusal.status
    )
    return True


def send(statement_ids: list[str]) -> int:
    """Send these statements if still pending, one commit each; returns how many wait still."""
    waiting = 0
    for statement_id in statement_ids:
        row = db.session.scalar(
            select(XapiStatement).where(
                XapiStatement.statement_id == statement_id, XapiStatement.status == PENDING
            )
        )
        if row is None:
            continue  # sent (or refused) by another job meanwhile
        if not deliver(row):
            waiting += 1
        db.session.commit()
    return waiting


@jobs.job()
def send_statements(statement_ids: list[str]) -> None:
    """Send statements; raise while some are not accepted, so the job is retried."""
    if not current_app.config["XAPI_LRS_URL"]:
        return
    waiting = send(statement_ids)
    if waiting:
        raise LrsUnavailable(f"{waiting} statements not accepted yet")


def pending_ids(limit: int = RESEND_BATCH) -> list[str]:
    return list(
        db.session.scalars(
            select(XapiStatement.statement_id)
            .where(XapiStatement.status == PENDING)
            .order_by(XapiStatement.id)
            .limit(limit)
        )
    )


@jobs.periodic(crontab(minute="*/10"))
def resend_pending() -> None:
    """Every ten minutes, what is still pending (a worker lost, retries used up)."""
    if current_app.config["XAPI_LRS_URL"]:
        send(pending_ids())


def send_again(row: XapiStatement) -> None:
    """A refused statement goes back to pending (after the LRS or the data was fixed)."""
    row.status, row.error = PENDING, ""
    jobs.after_commit(send_statements, [row.statement_id])
