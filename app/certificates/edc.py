"""Europass European Digital Credentials (ELM 3.2, the EBSI EDC schema) built from certificates."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale, gettext

from app.certificates.credential import end_of_day, iso, issuer_id
from app.certificates.integrity import EDC_AP, VC_V2
from app.core.i18n import pick_text

EDC_CONTEXT = (VC_V2, EDC_AP)
EDC_TYPES = ("VerifiableCredential", "VerifiableAttestation", "EuropeanDigitalCredential")
# The SHACL shapes of the EDC application profile, and the EBSI Trusted Schemas Registry entry
# of the JSON Schema we validate against (@cef-ebsi/vcdm2.0-europass-edc-schema 2.1.0: its
# schema.metadata.json gives this id).
SHACL_PROFILE = "http://data.europa.eu/snb/model/ap/edc-generic-full"
EBSI_SCHEMA = (
    "https://api-pilot.ebsi.eu/trusted-schemas-registry/v3/schemas/"
    "0x4d40d34533797f62a8a03d7c4a4cd7827d289fadf1bfa582ec0ecfedbe55a6e0"
)
# EU vocabularies (Publications Office authority tables and the Europass ones), as the
# examples of the EDC schema use them.
GENERIC_PROFILE = "http://data.europa.eu/snb/credential/e34929035b"
PROFILE_SCHEME = "http://data.europa.eu/snb/credential/25831c2"
COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"
FILE_TYPE_SCHEME = "http://publications.europa.eu/resource/authority/file-type"
BASE64_ENCODING = "http://data.europa.eu/snb/encoding/6146cde7dd"
ENCODING_SCHEME = "http://data.europa.eu/snb/encoding/25831c2"
ESCO_SKILLS = "http://data.europa.eu/esco/concept-scheme/skills"
# The authority tables' codes and English labels of the countries and languages we use.
COUNTRIES = {"SI": ("SVN", "Slovenia"), "HR": ("HRV", "Croatia")}
LANGUAGES = {"sl": ("SLV", "Slovenian"), "hr": ("HRV", "Croatian"), "en": ("ENG", "English")}
COUNTRY_LANGUAGE = {"SI": "sl", "HR": "hr"}


@dataclass(frozen=True)
class EdcFacts:
    """What a certificate attests, as plain values (frozen at issue where the record keeps it)."""

    base_url: str
    code: str
    serial: str
    institution_slug: str
    institution_name: str
    country: str
    learner_name: str
    language: str
    course_slug: str
    course_titles: dict[str, str]
    course_summaries: dict[str, str]
    workload_hours: int
    competences: list[dict[str, Any]]
    level_names: dict[int, dict[str, str]]
    issued_at: datetime
    issued_on: date
    expires_on: date | None
    display_languages: tuple[str, ...]


def edc_id(base_url: str, code: str) -> str:
    """The credential's id: the public address it is downloaded from."""
    return f"{base_url}/verify/{code}/europass.json"


def code_of(credential_id: str) -> str:
    """The verification code in an EDC id (the path segment before europass.json)."""
    parts = credential_id.rsplit("/", 2)
    return parts[1] if len(parts) == 3 and parts[2] == "europass.json" else ""


def _concept(uri: str, scheme: str, label: str = "", notation: str = "") -> dict[str, Any]:
    concept: dict[str, Any] = {
        "id": uri,
        "type": "Concept",
        "inScheme": {"id": scheme, "type": "ConceptScheme"},
    }
    if label:
        concept["prefLabel"] = {"en": [label]}
    if notation:
        concept["notation"] = notation
    return concept


def _language(code: str) -> dict[str, Any]:
    authority, label = LANGUAGES[code]
    return _concept(f"{LANGUAGE_SCHEME}/{authority}", LANGUAGE_SCHEME, label, "language")


def _texts(texts: dict[str, str]) -> dict[str, list[str]]:
    """An ELM language map ({"sl": ["..."]}) of the non-empty texts in languages ELM knows."""
    return {lang: [text] for lang, text in sorted(texts.items()) if text and lang in LANGUAGES}


def _organisation(facts: EdcFacts) -> dict[str, Any]:
    node = issuer_id(facts.base_url, facts.institution_slug)
    authority, label = COUNTRIES[facts.country]
    name_language = COUNTRY_LANGUAGE.get(facts.country, facts.language)
    return {
        "id": node,
        "type": "Organisation",
        "legalName": {name_language: [facts.institution_name]},
        "location": [
            {
                "id": f"{node}#location",
                "type": "Location",
                "address": [
                    {
                        "id": f"{node}#address",
                        "type": "Address",
                        "countryCode": _concept(
                            f"{COUNTRY_SCHEME}/{authority}", COUNTRY_SCHEME, label, "country"
                        ),
                    }
                ],
            }
        ],
    }


def _level_note(competence: dict[str, Any], facts: EdcFacts) -> dict[str, list[str]]:
    notes = {}
    for language in facts.course_titles:
        if language not in LANGUAGES:
            continue
        with force_locale(language):
            notes[language] = [
                gettext(
                    "Level %(number)d: %(name)s",
                    number=competence["level"],
                    name=pick_text(facts.level_names.get(competence["level"], {}), language),
                )
            ]
    return dict(sorted(notes.items()))


def _outcomes(facts: EdcFacts, node: str) -> list[dict[str, Any]]:
    """The competences the certificate attests, at their level, with their ESCO skill."""
    outcomes = []
    for competence in facts.competences:
        anchor = f"{node}#outcome-{competence['code']}"
        outcome: dict[str, Any] = {
            "id": anchor,
            "type": "LearningOutcome",
            "title": _texts(competence["names"]),
            "additionalNote": [
                {
                    "id": f"{anchor}-level",
                    "type": "Note",
                    "noteLiteral": _level_note(competence, facts),
                }
            ],
        }
        if competence.get("esco"):
            outcome["relatedESCOSkill"] = [_concept(competence["esco"], ESCO_SKILLS)]
        outcomes.append(outcome)
    return outcomes


def _specification(facts: EdcFacts, node: str) -> dict[str, Any]:
    specification: dict[str, Any] = {
        "id": f"{facts.base_url}/courses/{facts.course_slug}",
        "type": "LearningAchievementSpecification",
        "title": _texts(facts.course_titles),
        "language": [_language(lang) for lang in sorted(facts.course_titles) if lang in LANGUAGES],
        # ISO 8601 duration: the course's workload, as on the certificate.
        "volumeOfLearning": f"PT{facts.workload_hours}H",
    }
    description = _texts(facts.course_summaries)
    if description:
        specification["description"] = description
    outcomes = _outcomes(facts, node)
    if outcomes:
        specification["learningOutcome"] = outcomes
    return specification


def _achievement(facts: EdcFacts, node: str, organisation: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{node}#achievement",
        "type": "LearningAchievement",
        "title": _texts(facts.course_titles),
        "awardedBy": {
            "id": f"{node}#awarding",
            "type": "AwardingProcess",
            "awardingBody": [organisation],
            "awardingDate": iso(facts.issued_at),
        },
        "specifiedBy": _specification(facts, node),
    }


def _display(facts: EdcFacts, node: str, images: dict[str, bytes]) -> dict[str, Any]:
    """How the credential looks: one page per language, the images rendered for it (PNG)."""
    languages = [lang for lang in facts.display_languages if lang in images]
    return {
        "id": f"{node}#display",
        "type": "DisplayParameter",
        "title": {lang: [pick_text(facts.course_titles, lang)] for lang in sorted(languages)},
        "language": [_language(lang) for lang in languages],
        "primaryLanguage": _language(languages[0]),
        "individualDisplay": [
            {
                "id": f"{node}#display-{lang}",
                "type": "IndividualDisplay",
                "language": _language(lang),
                "displayDetail": [
                    {
                        "id": f"{node}#display-{lang}-1",
                        "type": "DisplayDetail",
                        "page": 1,
                        "image": {
                            "id": f"{node}#display-{lang}-1-image",
                            "type": "MediaObject",
                            "contentType": _concept(
                                f"{FILE_TYPE_SCHEME}/PNG", FILE_TYPE_SCHEME, "PNG", "file-type"
                            ),
                            "contentEncoding": _concept(BASE64_ENCODING, ENCODING_SCHEME, "base64"),
                            "content": base64.b64encode(images[lang]).decode("ascii"),
                        },
                    }
                ],
            }
            for lang in languages
        ],
    }


def build_edc(facts: EdcFacts, images: dict[str, bytes]) -> dict[str, Any]:
    """The unsigned EuropeanDigitalCredential of one certificate; `images` holds a rendering
    of the certificate (PNG) for each display language."""
    node = edc_id(facts.base_url, facts.code)
    organisation = _organisation(facts)
    credential: dict[str, Any] = {
        "@context": list(EDC_CONTEXT),
        "id": node,
        "type": list(EDC_TYPES),
        "credentialSchema": [
            {"id": SHACL_PROFILE, "type": "ShaclValidator2017"},
            {"id": EBSI_SCHEMA, "type": "JsonSchema"},
        ],
        "identifier": [
            {
                "id": f"{node}#serial",
                "type": "Identifier",
                "notation": facts.serial,
                "schemeName": "2SoKroG certificate serial number",
            }
        ],
        "credentialSubject": {
            "type": "Person",
            "fullName": {facts.language: [facts.learner_name]},
            "hasClaim": [_achievement(facts, node, organisation)],
        },
        "issuer": organisation,
        "issued": iso(facts.issued_at),
        "validFrom": iso(facts.issued_at),
        "credentialProfiles": [
            _concept(GENERIC_PROFILE, PROFILE_SCHEME, "Generic"),
        ],
        "displayParameter": _display(facts, node, images),
    }
    if facts.expires_on:
        credential["validUntil"] = iso(end_of_day(facts.expires_on))
    return credential
