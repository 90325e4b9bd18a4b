"""Translated error pages and the domain error type services raise."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from werkzeug.exceptions import HTTPException

from app.extensions import db

# The error codes that get a translated page of their own.
ERROR_PAGES = (400, 403, 404, 405, 413, 429)


class DomainError(Exception):
    """A rule of the domain was broken; the message is already translated for the user."""


def max_request_size() -> str:
    """The request size limit in megabytes, as the reader writes numbers."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return f"{format_decimal(limit / 2**20, format='#,##0.#')} MB"


def init_app(app: Flask) -> None:
    app.jinja_env.globals["max_request_size"] = max_request_size

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        if error.response is not None:
            return error.response  # a page made for the case (the login form when throttled)
        code = error.code or 500
        if code in ERROR_PAGES:
            return render_template("errors/error.html", code=code), code
        return error

    @app.errorhandler(500)
    def _server_error(_error: Exception) -> ResponseReturnValue:
        db.session.rollback()
        return render_template("errors/error.html", code=500), 500
