"""Public pages served to anonymous visitors from the content cache, with an ETag.

A public page (the catalogue, a course's overview and pages) is the same for every anonymous
visitor of a language until the published content changes. Its first rendering is kept in the
per-process content cache (app.core.content), keyed on the address and the language and
dropped with the content version, so the next visitor costs no template, query or session;
a browser that has it already gets 304 Not Modified. Only a rendering that wrote nothing to the
session (no CSRF token, no flashed message) and set no cookie is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Response, current_app, make_response, request, session
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.core.i18n import current_language

View = Callable[..., Any]


@dataclass(frozen=True)
class Page:
    body: bytes
    mimetype: str
    etag: str


def _served_from_cache(query_args: frozenset[str]) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and current_app.config["PUBLIC_PAGE_CACHE"]
        and set(request.args) <= query_args
        # Flashed messages are shown once, on the next page: that page is not everybody's.
        and not session.get("_flashes")
        and not current_user.is_authenticated
    )


def _response(page: Page) -> BaseResponse:
    response = Response(page.body, mimetype=page.mimetype)
    response.set_etag(page.etag)
    # Revalidated on every use (the page changes when the content does), with a 304 for free.
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Cookie", "Accept-Language"))
    return response.make_conditional(request)


def public_page(*query_args: str) -> Callable[[View], View]:
    """Cache the view's page for anonymous visitors; other query arguments bypass the cache."""
    allowed = frozenset((*query_args, "lang"))

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _served_from_cache(allowed):
                return view(*args, **kwargs)
            cache = current_app.extensions["content_cache"]
            key = ("page", request.path, request.query_string, current_language())
            token, found = cache.find(key)
            if isinstance(found, Page):
                return _response(found)
            response = make_response(view(*args, **kwargs))
            if (
                response.status_code == 200
                and not response.direct_passthrough
                and "Set-Cookie" not in response.headers
                and not session.modified
            ):
                body = response.get_data()
                page = Page(
                    body, response.mimetype or "text/html", hashlib.sha256(body).hexdigest()[:32]
                )
                cache.keep(key, page, token)
                return _response(page)
            return response

        return wrapper

    return decorate
