"""Open Badges 3.0 credentials and Bitstring status lists, built from certificate records."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, date, datetime, time
from typing import Any

from flask_babel import force_locale, gettext, ngettext

from app.certificates.integrity import OB_EXTENSIONS, OB_V3, VC_V2
from app.core.i18n import pick_text

OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
CREDENTIAL_CONTEXT = (VC_V2, OB_V3, OB_EXTENSIONS)
# The Bitstring Status List recommends at least 131,072 entries so one slot reveals nothing.
STATUS_LIST_BITS = 131_072


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def issuer_id(base_url: str, slug: str) -> str:
    return f"{base_url}/issuers/{slug}"


def status_list_url(base_url: str, slug: str) -> str:
    return f"{base_url}/issuers/{slug}/status/revocation"


def verify_url(base_url: str, code: str) -> str:
    return f"{base_url}/verify/{code}"


def build_credential(
    *,
    base_url: str,
    code: str,
    institution: dict[str, str],
    learner_name: str,
    language: str,
    course_slug: str,
    course_titles: dict[str, str],
    course_summaries: dict[str, str],
    content_version: str,
    workload_hours: int,
    competences: list[dict[str, Any]],
    level_names: dict[int, dict[str, str]],
    issued_at: datetime,
    expires_on: date | None,
    status_index: int,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of one certificate, in the learner's language."""
    issuer = issuer_id(base_url, institution["slug"])
    achievement_id = f"{base_url}/courses/{course_slug}"
    profile = {
        "id": issuer,
        "type": ["Profile"],
        "name": institution["name"],
        "url": issuer,
    }
    with force_locale(language):
        criteria = ngettext(
            "Completed every lesson of the course (workload %(num)d hour) and passed its final "
            "assessment where the course has one.",
            "Completed every lesson of the course (workload %(num)d hours) and passed its final "
            "assessment where the course has one.",
            workload_hours,
        )
        framework = gettext("2SoKroG competence framework")
    result_descriptions = []
    results = []
    alignments = []
    for competence in competences:
        anchor = f"{achievement_id}#competence-{competence['code']}"
        name = pick_text(competence["names"], language)
        result_descriptions.append(
            {
                "id": anchor,
                "type": ["ResultDescription"],
                "name": name,
                "resultType": "RubricCriterionLevel",
                "requiredLevel": f"{anchor}-level-{competence['level']}",
                "rubricCriterionLevel": [
                    {
                        "id": f"{anchor}-level-{level}",
                        "type": ["RubricCriterionLevel"],
                        "name": pick_text(names, language),
                        "level": str(level),
                    }
                    for level, names in sorted(level_names.items())
                ],
            }
        )
        results.append(
            {
                "type": ["Result"],
                "resultDescription": anchor,
                "achievedLevel": f"{anchor}-level-{competence['level']}",
                "status": "Completed",
            }
        )
        alignment = {
            "type": ["Alignment"],
            "targetName": name,
            "targetCode": competence["code"],
            "targetFramework": framework,
            "targetUrl": anchor,
        }
        if competence.get("esco"):
            # ESCO is the European classification: employers can map the skill across borders.
            alignment.update(
                targetUrl=competence["esco"], targetFramework="ESCO", targetType="ext:ESCOSkill"
            )
        alignments.append(alignment)

    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": pick_text(course_titles, language),
        "description": pick_text(course_summaries, language) or pick_text(course_titles, language),
        "criteria": {"narrative": criteria},
        "creator": profile,
        "inLanguage": language,
        "version": content_version,
        "humanCode": course_slug,
    }
    if alignments:
        achievement["alignment"] = alignments
        achievement["resultDescription"] = result_descriptions
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": learner_name,
                "identityType": "name",
                "hashed": False,
            }
        ],
        "achievement": achievement,
    }
    if results:
        subject["result"] = results
    status_url = status_list_url(base_url, institution["slug"])
    credential: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": verify_url(base_url, code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": profile,
        "validFrom": iso(issued_at),
        "name": pick_text(course_titles, language),
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": {
            "id": f"{status_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_url,
        },
    }
    if expires_on:
        credential["validUntil"] = iso(end_of_day(expires_on))
    return credential


def encode_bitstring(revoked: set[int], size: int = STATUS_LIST_BITS) -> str:
    """Multibase base64url (unpadded) of the GZIP-compressed bitstring; index 0 is the first bit."""
    length = max(size, max(revoked, default=-1) + 1)
    bits = bytearray((length + 7) // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("the status list is not base64url multibase")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit_is_set(bits: bytes, index: int) -> bool:
    return index // 8 < len(bits) and bool(bits[index // 8] & (0x80 >> (index % 8)))


def build_status_list(
    *, base_url: str, slug: str, revoked: set[int], valid_from: datetime
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of one institution's revocations."""
    url = status_list_url(base_url, slug)
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(base_url, slug),
        "validFrom": iso(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bitstring(revoked),
        },
    }
