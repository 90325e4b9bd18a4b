"""Links that leave the platform (e-mails, credentials): always on PUBLIC_BASE_URL.

Never built from the request's Host header: a forged Host would otherwise put an attacker's
address into a password-reset mail. Works with or without a request (jobs, commands).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def public_base() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of an endpoint, as the public reaches it."""
    with current_app.test_request_context(base_url=public_base() + "/"):
        return url_for(endpoint, _external=True, **values)
