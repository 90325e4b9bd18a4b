"""Health and readiness for load balancers, and logs that follow one request."""

from __future__ import annotations

import json
import logging

from app.core import jobs, logs
from tests.conftest import _free_port


def test_ready_when_the_database_and_the_queue_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "queue": "ok"}}


def test_not_ready_when_the_queue_is_down(app, client):
    # A Redis queue on a port where nobody listens.
    app.config["JOBS_URL"] = f"redis://127.0.0.1:{_free_port()}/0"
    app.config["JOBS_IMMEDIATE"] = False
    jobs.init_app(app)
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"] == {"database": "ok", "queue": "unavailable"}
    finally:
        app.config["JOBS_IMMEDIATE"] = True
        jobs.init_app(app)


def test_the_request_id_is_taken_from_the_proxy_or_made(client):
    given = client.get("/courses/", headers={"X-Request-ID": "abc123def456"})
    assert given.headers["X-Request-ID"] == "abc123def456"
    made = client.get("/courses/", headers={"X-Request-ID": "<script>"})
    assert len(made.headers["X-Request-ID"]) == 32
    assert made.headers["X-Request-ID"] != "<script>"


def test_json_logs_carry_the_request_id_and_the_instance(app, client, capsys):
    app.config.update(LOG_FORMAT="json", INSTANCE_NAME="app7")
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.init_app(app)
        client.get("/courses/", headers={"X-Request-ID": "req-0001-abcd"})
    finally:
        root.handlers, root.level = saved
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    entry = next(line for line in lines if line.get("path") == "/courses/")
    assert entry["request_id"] == "req-0001-abcd"
    assert entry["instance"] == "app7"
    assert entry["status"] == 200
    assert entry["level"] == "INFO"
    assert entry["duration_ms"] >= 0
