"""The kinds of e-mail the platform sends, and whether a person may switch each one off.

Packages register their kinds at import (auth: account mails; notifications: reminders), so
the profile page lists every choice without knowing the packages above it. Mails about the
account's security cannot be switched off: the person must learn that their password changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Kind:
    code: str
    label: LazyString
    optional: bool = True
    order: int = 100
    # Who receives this kind at all (e.g. HR's weekly digest): only they see the choice. Empty:
    # everyone.
    roles: frozenset[str] = frozenset()


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.code] = kind
    return kind


def choices(roles: set[str] | None = None) -> list[Kind]:
    """The kinds a person (with `roles`, or anyone) may switch off, in the order the profile
    page shows them."""
    return sorted(
        (
            kind
            for kind in KINDS.values()
            if kind.optional and (roles is None or not kind.roles or kind.roles & roles)
        ),
        key=lambda k: k.order,
    )


def wanted(kind: str, opted_out: list[str] | None) -> bool:
    """Whether a person who switched off `opted_out` still gets mails of this kind."""
    entry = KINDS.get(kind)
    if entry is None or not entry.optional:
        return True
    return kind not in (opted_out or [])
