"""`/healthz`: a liveness check for load balancers, and the H0 ceiling of the benchmarks."""

from __future__ import annotations

from flask import Flask, Response

from app.core.permissions import public


@public
def healthz() -> Response:
    # No database, no session, no template: what is left is the cost of Flask and the server.
    return Response("ok\n", mimetype="text/plain")


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz)
