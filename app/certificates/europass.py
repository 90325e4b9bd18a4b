"""The Europass credential (EDC) of a certificate: built from its record, signed on request."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext

from app.certificates import credential as ob3
from app.certificates import integrity, keys
from app.certificates.display import render_display
from app.certificates.edc import LANGUAGES, EdcFacts, build_edc
from app.certificates.models import Certificate
from app.certificates.services import base_url
from app.certificates.stored import level_names
from app.core.database import utcnow
from app.core.errors import DomainError


class EdcRefused(DomainError):
    """No Europass credential is given for this certificate (it is revoked)."""


def facts_of(certificate: Certificate) -> EdcFacts:
    institution = certificate.institution
    titles = dict(certificate.course_titles)
    summaries = dict(certificate.course_summaries)
    if not summaries:
        # Issued before summaries were kept: the Open Badges credential froze the summary in
        # the learner's language (its description; the title when the course had none).
        achievement = certificate.credential.get("credentialSubject", {}).get("achievement", {})
        description = achievement.get("description", "")
        if description and description != achievement.get("name"):
            summaries = {certificate.language: description}
    languages = tuple(lang for lang in certificate.pdf_languages if lang in LANGUAGES)
    return EdcFacts(
        base_url=base_url(),
        code=certificate.code,
        serial=certificate.serial,
        institution_slug=institution.slug,
        institution_name=institution.name,
        country=institution.country,
        learner_name=certificate.learner_name,
        language=certificate.language,
        course_slug=certificate.course.slug,
        course_titles=titles,
        course_summaries=summaries,
        workload_hours=certificate.workload_hours,
        competences=list(certificate.competences),
        level_names=level_names(),
        issued_at=certificate.issued_at,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        display_languages=languages or (certificate.language,),
    )


def unsigned_credential(certificate: Certificate) -> dict[str, Any]:
    facts = facts_of(certificate)
    verify_url = ob3.verify_url(facts.base_url, facts.code)
    images = {lang: render_display(facts, lang, verify_url) for lang in facts.display_languages}
    return build_edc(facts, images)


def signed_credential(certificate: Certificate) -> dict[str, Any]:
    """The certificate as a EuropeanDigitalCredential, signed now with the issuer's active key
    (eddsa-jcs-2022: see integrity.CRYPTOSUITE_JCS). A revoked certificate has none."""
    if certificate.revoked_at is not None:
        raise EdcRefused(gettext("This certificate is revoked: it has no Europass credential."))
    institution = certificate.institution
    key = keys.active_key(institution.id)
    if key is None:
        raise keys.SigningKeyMissing(institution.slug)
    method = f"{ob3.issuer_id(base_url(), institution.slug)}#{key.public_key_multibase}"
    return integrity.sign(
        unsigned_credential(certificate),
        keys.private_key(institution, key),
        method,
        ob3.iso(utcnow()),
        integrity.CRYPTOSUITE_JCS,
    )


def credential_json(certificate: Certificate) -> str:
    return json.dumps(signed_credential(certificate), ensure_ascii=False, indent=2)
