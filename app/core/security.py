"""Security headers, trusted proxies, bounded URL ids and safe redirects."""

from __future__ import annotations

from typing import Any, TypeGuard
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request, session
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

# Ids are 32-bit integers in PostgreSQL: a larger one in a URL is simply not found (404),
# never an "integer out of range" from the database.
MAX_ID = 2**31 - 1

# No inline script or style anywhere: every script and stylesheet is a file under /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def is_safe_redirect(target: str | None) -> TypeGuard[str]:
    """Only same-site paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return False
    if target.startswith(("//", "\\", "/\\")) or "\\" in target:
        return False
    if any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/")


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in every route, limited to the ids the database can hold."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    # Before any blueprint adds its rules: they take the converter when they are compiled.
    app.url_map.converters["int"] = BoundedIntegerConverter
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Only the given number of proxies may say who the client is and how it connected;
        # without one, X-Forwarded-For is ignored, so nobody picks their own address.
        # Wrapping wsgi_app is Flask's documented way to add middleware, but the type declares
        # it a method, and mypy refuses any assignment to a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    @app.before_request
    def _refuse_nul_bytes() -> None:
        # No person types a NUL byte, and PostgreSQL cannot store one in text: refuse the
        # request with the translated 400 page rather than fail on the database.
        values = [*request.args.values(), *request.form.values()]
        if any("\x00" in value for value in values):
            abort(400)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.endpoint != "static" and "_user_id" in session:
            # A page for a logged-in person is theirs alone: no browser or proxy keeps a copy
            # that the next user of a shared office computer could open with Back.
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response
