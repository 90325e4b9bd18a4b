"""Why a single sign-on was refused: a code for the audit trail, words for the person."""

from __future__ import annotations

from app.core.errors import DomainError


class SsoRefused(DomainError):
    """Nobody was logged in. `str()` is the translated message for the person; `reason` a short
    code and `detail` English words for the administrators (the audit trail, the log)."""

    def __init__(
        self,
        reason: str,
        message: str,
        detail: str = "",
        email: str | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail or reason
        self.email = email
        self.user_id = user_id
