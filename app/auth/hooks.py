"""What higher packages add to logging in and out: other ways to log in, where logout goes.

Auth knows nothing of identity providers; the single sign-on package (app.sso) registers here,
in its `init_app`, the buttons the login page shows and the provider's logout address that a
local logout continues to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LoginOption:
    """A button on the login page: its label and where it leads (a GET link)."""

    label: str
    url: str


LoginOptions = Callable[[str], list[LoginOption]]  # (the `next` address) -> buttons
LogoutTarget = Callable[[], str | None]  # read before the session is cleared

_login_options: list[LoginOptions] = []
_logout_targets: list[LogoutTarget] = []


def add_login_options(provider: LoginOptions) -> None:
    """Register buttons for the login page (once, however often the app is made)."""
    if provider not in _login_options:
        _login_options.append(provider)


def login_options(next_url: str) -> list[LoginOption]:
    return [option for provider in _login_options for option in provider(next_url)]


def add_logout_target(target: LogoutTarget) -> None:
    """Register where a logout continues (once, however often the app is made)."""
    if target not in _logout_targets:
        _logout_targets.append(target)


def logout_target() -> str | None:
    """The first registered address a logout must continue to, or None (the login page)."""
    for target in _logout_targets:
        url = target()
        if url:
            return url
    return None
