"""Logs a collector can read: one JSON object per line (LOG_FORMAT=json), each with the request id.

The request id comes from the proxy in front (nginx sets `X-Request-ID`), or is made here, and
goes back in the response, so one request can be followed through nginx, the app server and the
job it queued. Each request is logged once when it ends: method, path, status, duration.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = logging.getLogger("sokrog.request")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (and the server's `instance`) to every record."""

    def __init__(self, instance: str) -> None:
        super().__init__()
        self.instance = instance

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        record.instance = self.instance
        return True


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    # Only an id of a sane shape is taken over: a header is the client's to write.
    g.request_id = given if REQUEST_ID_RE.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    if started is not None and request.endpoint not in ("healthz", "static"):
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
    return response


def init_app(app: Flask) -> None:
    instance = str(app.config.get("INSTANCE_NAME") or "")
    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler()
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(instance)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
        handler.addFilter(RequestIdFilter(instance))
        root = logging.getLogger()
        root.handlers = [handler]
        root.setLevel(logging.INFO)
    else:
        for existing in logging.getLogger().handlers:
            if not any(isinstance(f, RequestIdFilter) for f in existing.filters):
                existing.addFilter(RequestIdFilter(instance))
    app.before_request(_start)
    app.after_request(_finish)
    if instance:
        # Which server answered: for the operators (and the multi-server test), never secret.
        @app.after_request
        def _served_by(response: Response) -> Response:
            response.headers["X-Instance"] = instance
            return response
