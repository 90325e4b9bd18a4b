"""`/healthz` (alive) and `/readyz` (ready for traffic): what a load balancer asks each server.

`/healthz` touches nothing, so it is also the H0 ceiling of the benchmarks. `/readyz` checks what
a request needs: the database, and the job queue where one is shared (Redis or PostgreSQL); a
server that cannot reach them answers 503 and the balancer sends its traffic elsewhere.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from sqlalchemy import text

from app.core import jobs
from app.core.permissions import public
from app.extensions import db

log = logging.getLogger(__name__)


@public
def healthz() -> Response:
    # No database, no session, no template: what is left is the cost of Flask and the server.
    return Response("ok\n", mimetype="text/plain")


def _check(name: str, probe: object) -> str:
    try:
        probe() if callable(probe) else None
    except Exception as error:  # any failure of a dependency means "not ready"
        log.warning("readiness: %s is not available: %s", name, error)
        return "unavailable"
    return "ok"


@public
def readyz() -> tuple[Response, int]:
    checks = {
        "database": _check("database", lambda: db.session.execute(text("SELECT 1"))),
        "queue": _check("queue", jobs.huey.pending_count),
    }
    db.session.rollback()
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
