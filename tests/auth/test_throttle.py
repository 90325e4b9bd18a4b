"""Login throttling: per account and client, exact, with exponential back-off, behind proxies."""

from __future__ import annotations

import itertools
import time

import pytest
from flask import Flask

from tests.conftest import PASSWORD, csrf_token, make_app


def log_in(client, email: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password},
        environ_base=environ,
    )


def test_the_limit_is_exact_and_even_the_right_password_waits(app, client, make_user):
    make_user(email="ana@example.org")
    free = app.config["LOGIN_FREE_FAILURES"]
    for _ in range(free):
        assert log_in(client, "ana@example.org", "wrong-password").status_code == 200
    response = log_in(client, "ana@example.org")  # the sixth try is not even checked
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many failed attempts. Please try again in 1 minute." in page
    assert 'value="ana@example.org"' not in page or "aria-invalid" in page


def test_a_stranger_cannot_lock_someone_else_out(app, client, make_user):
    make_user(email="ana@example.org")
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 3):
        log_in(client, "ana@example.org", "wrong-password", address="203.0.113.7")
    assert log_in(client, "ana@example.org", address="203.0.113.7").status_code == 429
    # Ana, at her own desk, logs in as usual.
    other = app.test_client()
    assert log_in(other, "ana@example.org", address="198.51.100.20").status_code == 302


def test_a_successful_login_forgets_earlier_failures(app, client, make_user):
    make_user(email="ana@example.org")
    free = app.config["LOGIN_FREE_FAILURES"]
    for _ in range(free - 1):
        log_in(client, "ana@example.org", "wrong-password")
    assert log_in(client, "ana@example.org").status_code == 302
    fresh = app.test_client()
    for _ in range(free - 1):
        assert log_in(fresh, "ana@example.org", "wrong-password").status_code == 200
    assert log_in(fresh, "ana@example.org").status_code == 302


def test_the_wait_doubles_with_every_further_failure(tmp_path, database_urls):
    # Windows of 1, 2, 4 s instead of minutes, to watch the back-off without waiting long.
    app = make_app(
        database_urls["sqlite"],
        tmp_path / "s",
        LOGIN_BACKOFF_SECONDS=1,
        LOGIN_FREE_FAILURES=1,
        LOGIN_BACKOFF_STEPS=3,
    )
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with app.app_context():
        from app.auth.services import UserData, create_user, seed_institutions
        from app.extensions import db

        seed_institutions()
        institution = db.session.scalar(db.select(db.metadata.tables["institution"].c.id))
        create_user(UserData("bo@example.org", "Bo", institution), PASSWORD)
        db.session.commit()
    try:
        failures = []
        while len(failures) < 4:
            # Refused tries do not count: only the failures that were checked move the wait.
            if log_in(client, "bo@example.org", "wrong").status_code == 200:
                failures.append(time.monotonic())
            else:
                time.sleep(0.05)
        gaps = [later - earlier for earlier, later in itertools.pairwise(failures)]
        assert [round(gap) for gap in gaps] == [1, 1, 2]
        assert log_in(client, "bo@example.org", PASSWORD).status_code == 429
    finally:
        from tests.conftest import empty_database

        empty_database(app)


def test_one_client_has_a_ceiling_across_accounts(app, client, make_user):
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = "4 per 15 minutes"
    make_user(email="ana@example.org")
    for number in range(4):
        log_in(client, f"guess{number}@example.org", "wrong-password", address="203.0.113.9")
    assert log_in(client, "ana@example.org", address="203.0.113.9").status_code == 429
    assert log_in(client, "ana@example.org", address="203.0.113.10").status_code == 302


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(app, client, make_user):
    make_user(email="ana@example.org")
    for number in range(app.config["LOGIN_FREE_FAILURES"]):
        # An attacker cannot escape the limit by inventing a new address for every try.
        token = csrf_token(client, "/login")
        client.post(
            "/login",
            data={"csrf_token": token, "email": "ana@example.org", "password": "bad"},
            headers={"X-Forwarded-For": f"10.9.9.{number}"},
        )
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": "ana@example.org", "password": PASSWORD},
        headers={"X-Forwarded-For": "10.9.9.200"},
    )
    assert response.status_code == 429


@pytest.fixture
def proxied_app(database_urls, tmp_path) -> Flask:
    app = make_app(database_urls["sqlite"], tmp_path / "s", TRUSTED_PROXIES=1)
    yield app
    from tests.conftest import empty_database

    empty_database(app)


def test_behind_one_trusted_proxy_each_client_is_told_apart(proxied_app):
    with proxied_app.app_context():
        from app.auth.services import UserData, create_user, seed_institutions
        from app.extensions import db

        seed_institutions()
        institution = db.session.scalar(db.select(db.metadata.tables["institution"].c.id))
        create_user(UserData("ana@example.org", "Ana", institution), PASSWORD)
        db.session.commit()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}  # every request arrives from the load balancer

    def attempt(forwarded: str, password: str):
        client = proxied_app.test_client()  # a browser of its own, never logged in yet
        token = csrf_token(client, "/login")
        return client.post(
            "/login",
            data={"csrf_token": token, "email": "ana@example.org", "password": password},
            headers={"X-Forwarded-For": forwarded},
            environ_base=proxy,
        )

    for _ in range(proxied_app.config["LOGIN_FREE_FAILURES"]):
        attempt("203.0.113.5", "wrong-password")
    assert attempt("203.0.113.5", PASSWORD).status_code == 429
    # The same proxy, another client behind it: not throttled.
    assert attempt("198.51.100.8", PASSWORD).status_code == 302
    # A forged extra hop in front of the real one does not help the attacker.
    assert attempt("1.2.3.4, 203.0.113.5", PASSWORD).status_code == 429


def test_an_unknown_email_costs_the_same_password_check(app, client, make_user, monkeypatch):
    from werkzeug import security

    from app.auth import passwords

    calls: list[str] = []
    real = security.check_password_hash

    def counting(stored: str, password: str) -> bool:
        calls.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    make_user(email="ana@example.org")
    log_in(client, "ana@example.org", "wrong-password")
    log_in(client, "nobody@example.org", "wrong-password")
    assert len(calls) == 2
    assert calls[0] == calls[1]  # the same hash method and cost for both


def test_counters_hold_no_address_or_email_in_clear(app, client, make_user):
    from app.extensions import limiter

    make_user(email="ana@example.org")
    log_in(client, "ana@example.org", "wrong-password", address="192.0.2.44")
    storage = limiter.storage
    keys = " ".join(str(key) for key in getattr(storage, "events", {})) + " ".join(
        str(key) for key in getattr(storage, "storage", {})
    )
    assert keys  # something was counted
    assert "ana" not in keys
    assert "192.0.2.44" not in keys


def test_servers_sharing_redis_count_failures_together(redis_url, database_urls, tmp_path):
    """Two app servers behind a balancer: a guess on either counts against the same limit."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    servers = [
        make_app(database_urls["sqlite"], tmp_path / "s", RATELIMIT_STORAGE_URI=redis_url)
        for _ in range(2)
    ]
    with servers[0].app_context():
        from app.auth.services import UserData, create_user, seed_institutions
        from app.extensions import db

        seed_institutions()
        institution = db.session.scalar(db.select(db.metadata.tables["institution"].c.id))
        create_user(UserData("ana@example.org", "Ana", institution), PASSWORD)
        db.session.commit()
    try:
        clients = [server.test_client() for server in servers]
        free = servers[0].config["LOGIN_FREE_FAILURES"]
        for attempt in range(free):
            assert log_in(clients[attempt % 2], "ana@example.org", "wrong").status_code == 200
        # Each server alone saw fewer failures than the limit; together they reached it.
        assert log_in(clients[0], "ana@example.org").status_code == 429
        assert log_in(clients[1], "ana@example.org").status_code == 429
        keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("*")]
        assert keys
        assert not any("ana" in key or "127.0.0.1" in key for key in keys)
    finally:
        from tests.conftest import empty_database

        empty_database(servers[0])
