"""Translated error pages and the domain error type services raise."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from app.extensions import db


class DomainError(Exception):
    """A rule of the domain was broken; the message is already translated for the user."""


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = error.code or 500
        if code in (400, 403, 404, 405, 429):
            return render_template("errors/error.html", code=code), code
        return error

    @app.errorhandler(500)
    def _server_error(_error):
        db.session.rollback()
        return render_template("errors/error.html", code=500), 500
