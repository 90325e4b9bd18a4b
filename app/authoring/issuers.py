"""Who may name a course's issuing institution: the institution's own administrators."""

from __future__ import annotations

from flask_babel import gettext

from app.auth.models import User


def issuer_refusal(user: User, named: str, current: str | None, course: str) -> str | None:
    """Why `user` may not make `named` the issuer of `course` (now `current`); None if they may.

    The issuer signs the course's certificates, so nobody else chooses it for them: a course
    keeps its issuer unless an administrator of the new one takes it over, and a new course is
    issued by its author's own institution.
    """
    own = user.institution.slug
    if named == current or (current is None and named == own):
        return None
    if user.has_role("admin") and named == own:
        return None
    if current is None:
        return gettext(
            "The course %(course)s names %(named)s as its issuing institution. A new course is "
            "issued by your own institution (%(own)s): only an administrator of %(named)s may "
            "name it.",
            course=course,
            named=named,
            own=own,
        )
    return gettext(
        "The course %(course)s is issued by %(current)s, but the package names %(named)s. Only "
        "an administrator of %(named)s may make it the issuer; the package was not imported.",
        course=course,
        current=current,
        named=named,
    )


def issuer_choices(user: User, current: str | None) -> list[str]:
    """The issuers an administrator may pick in the editor: the current one and their own."""
    return list(dict.fromkeys([slug for slug in (current, user.institution.slug) if slug]))
