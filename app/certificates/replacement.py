"""Replacing a revoked certificate: an administrator of the issuer issues it again, with a reason.

A certificate revoked because it attested something wrong (a misspelt name, the wrong
institution) is not re-signed: it stays revoked, and a new certificate (its own serial, code and
status slot) names the one it replaces. The replacement keeps the original expiry date, so
re-issuing never extends a validity, and records who issued it and why.
"""

from __future__ import annotations

from flask_babel import gettext

from app.auth.models import User
from app.certificates import keys, services
from app.certificates.handissue import IssueRefused, may_revoke
from app.certificates.models import Certificate

# A replacement is rare and read later by auditors: the reason must say what was wrong.
MIN_REASON_LENGTH = 20


def may_replace(by: User, certificate: Certificate) -> bool:
    """Whether `by` may replace the certificate now (the page offers the action only then)."""
    return (
        may_revoke(by, certificate)
        and certificate.revoked_at is not None
        and certificate.replaced_by is None
    )


def replace(certificate: Certificate, by: User, reason: str) -> Certificate:
    """Issue a new certificate in place of a revoked one; raise IssueRefused saying why not."""
    if not may_revoke(by, certificate):
        raise IssueRefused(
            gettext(
                "Only an administrator of %(institution)s may issue its certificates again.",
                institution=certificate.institution.name,
            )
        )
    if certificate.revoked_at is None:
        raise IssueRefused(gettext("Only a revoked certificate can be issued again."))
    if certificate.replaced_by is not None:
        raise IssueRefused(
            gettext(
                "This certificate was already replaced by %(serial)s.",
                serial=certificate.replaced_by.serial,
            )
        )
    learner = certificate.user
    if learner.id == by.id:
        raise IssueRefused(gettext("Nobody may issue a certificate to themselves."))
    if not learner.is_active:
        raise IssueRefused(gettext("This account is deactivated."))
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise IssueRefused(
            gettext(
                "Say what was wrong and what the new certificate corrects (at least "
                "%(count)d characters).",
                count=MIN_REASON_LENGTH,
            )
        )
    if keys.active_key(certificate.institution_id) is None:
        raise keys.SigningKeyMissing(certificate.institution.slug)
    counter = services.lock_counter(certificate.institution)
    current = services.certificate_for(certificate.user_id, certificate.course_id)
    if current is not None and current.revoked_at is None:
        raise IssueRefused(
            gettext(
                "The learner already holds a valid certificate for this course: %(serial)s.",
                serial=current.serial,
            )
        )
    return services.create(
        learner, certificate.course, counter, issued_by=by, reason=reason, replaces=certificate
    )
