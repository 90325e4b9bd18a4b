"""Role checks for views: every view states who may see it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

View = Callable[..., ResponseReturnValue]
AnyView = TypeVar("AnyView", bound=View)

# Flask-Login ships no type information, so its decorator is Any to mypy; it takes a view
# and returns the view wrapped in a login check, which is what this says.
_login_required = cast(Callable[[View], View], login_required)


def roles_required(*roles: str) -> Callable[[View], View]:
    """Allow the view to logged-in users holding any of `roles`; others get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        @_login_required
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if not any(current_user.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        # A function takes attributes at run time, but its type declares none to assign.
        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: AnyView) -> AnyView:
    """Mark a view as open to everyone, so the permission audit test knows it was meant."""
    # A function takes attributes at run time, but its type declares none to assign.
    view.is_public = True  # type: ignore[attr-defined]
    return view


def wants_json() -> bool:
    """The request is a script's (autosave, live preview) that reads JSON, not a page load."""
    return request.accept_mimetypes.best == "application/json"
