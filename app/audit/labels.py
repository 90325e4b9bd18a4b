"""What each kind of audit entry is called on the administrators' page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

ACTIONS: dict[str, LazyString] = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "user_created": _l("Account created"),
    "roles_changed": _l("Roles changed"),
    "user_deactivated": _l("Account deactivated"),
    "user_erased": _l("Personal data erased"),
    "erasure_held": _l("Erasure held back (open assignments)"),
    "personal_data_exported": _l("Personal data exported"),
    "attempts_purged": _l("Old attempts purged"),
    "course_published": _l("Course published"),
    "certificate_issued": _l("Certificate issued"),
    "certificate_revoked": _l("Certificate revoked"),
    "certificate_reissued": _l("Certificate re-issued"),
    "key_created": _l("Signing key created"),
    "key_retired": _l("Signing key retired"),
    "key_compromised": _l("Signing key compromised"),
    "essay_graded": _l("Essay graded"),
    "attempt_graded": _l("Quiz attempt graded"),
    "evidence_added": _l("Evidence added"),
    "evidence_superseded": _l("Evidence corrected"),
    "xapi_refused": _l("Learning record refused by the LRS"),
    "sso_login_refused": _l("Single sign-on refused"),
    "sso_settings_changed": _l("Single sign-on settings changed"),
    "users_synced": _l("Accounts loaded from the HR system"),
    "certificate_replaced": _l("Revoked certificate issued again"),
    "institution_changed": _l("Institution details changed"),
    "job_role_changed": _l("Job role or target profile changed"),
}


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return str(label) if label is not None else action
