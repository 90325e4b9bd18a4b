"""Data Integrity proofs: eddsa-rdfc-2022 (canonicalising offline) and eddsa-jcs-2022."""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.certificates.jcs import JcsError, canonical

CONTEXT_DIR = Path(__file__).parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines the credentialSchema type 1EdTechJsonSchemaValidator2019 (OB 3.0 examples list it).
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
# The Europass EDC application profile's context (ELM 3): see contexts/ORIGIN.md.
EDC_AP = "http://data.europa.eu/snb/model/context/edc-ap"
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-context-3.0.3.json",
    OB_EXTENSIONS: "ob-extensions.json",
    EDC_AP: "edc-ap-context.jsonld",
}
CRYPTOSUITE = "eddsa-rdfc-2022"
# JSON Canonicalization Scheme instead of RDF: for the Europass credential, whose contexts no
# JSON-LD 1.1 processor accepts together (the EDC context redefines a term VC 2.0 protects).
CRYPTOSUITE_JCS = "eddsa-jcs-2022"
CRYPTOSUITES = (CRYPTOSUITE, CRYPTOSUITE_JCS)
# The multicodec prefix of an Ed25519 public key (0xed, varint-encoded) in a Multikey.
ED25519_PUB_PREFIX = b"\xed\x01"


class IntegrityError(Exception):
    """A document that cannot be canonicalised or whose proof does not verify."""


@cache
def _context(url: str) -> dict[str, Any]:
    context: dict[str, Any] = json.loads(
        (CONTEXT_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8")
    )
    return context


def _load_document(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    from pyld import jsonld  # lazy: see canonicalize()

    # Only the contexts we ship: a credential naming any other context is refused, never fetched.
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"context {url} is not known offline",
            "jsonld.LoadDocumentError",
            code="loading remote context failed",
        )
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def canonicalize(document: dict[str, Any]) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, the former URDNA2015) as N-Quads."""
    # Imported when first needed: pyld (with its HTTP stack) is 11 MB in every web worker,
    # and most workers never sign or verify a credential.
    from pyld import jsonld

    try:
        # pyld ships no types; with the n-quads format, normalize returns the text.
        nquads: str = jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": _load_document,
            },
        )
    except jsonld.JsonLdError as error:
        raise IntegrityError(f"the document is not valid JSON-LD: {error}") from error
    return nquads


def _keys(node: Any) -> set[str]:
    """Every property name used anywhere in a JSON document, but its contexts."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                found.add(key)
                found |= _keys(value)
    elif isinstance(node, list):
        for item in node:
            found |= _keys(item)
    return found


def check_terms(document: dict[str, Any]) -> None:
    """Refuse a document whose terms its contexts do not define ("safe mode", as Digital
    Bazaar's verifier runs): canonicalisation silently drops an undefined property, so a field
    added after signing would otherwise pass as signed."""
    from pyld import jsonld  # lazy: see canonicalize()

    options = {"documentLoader": _load_document}
    try:
        expanded = jsonld.expand(document, options)
        compacted = jsonld.compact(expanded, {"@context": document.get("@context")}, options)
    except jsonld.JsonLdError as error:
        raise IntegrityError(f"the document is not valid JSON-LD: {error}") from error
    undefined = _keys(document) - _keys(compacted)
    if undefined:
        raise IntegrityError(f"terms its contexts do not define: {', '.join(sorted(undefined))}")


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes_raw()
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + raw).decode()


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise IntegrityError("the public key is not base58btc multibase")
    decoded = base58.b58decode(value[1:])
    if not decoded.startswith(ED25519_PUB_PREFIX) or len(decoded) != 34:
        raise IntegrityError("the public key is not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def _jcs(document: dict[str, Any]) -> str:
    try:
        return canonical(document)
    except JcsError as error:
        raise IntegrityError(f"the document cannot be canonicalised (JCS): {error}") from error


def _hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof_options.items() if key != "proofValue"}
    # The proof configuration is canonicalised with the document's own context.
    options["@context"] = unsecured.get("@context")
    transform = _jcs if proof_options.get("cryptosuite") == CRYPTOSUITE_JCS else canonicalize
    proof_hash = hashlib.sha256(transform(options).encode()).digest()
    document_hash = hashlib.sha256(transform(unsecured).encode()).digest()
    return proof_hash + document_hash


def sign(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    cryptosuite: str = CRYPTOSUITE,
) -> dict[str, Any]:
    """A copy of the document with a DataIntegrityProof added (as a list): eddsa-rdfc-2022
    unless the eddsa-jcs-2022 cryptosuite is asked for."""
    if cryptosuite not in CRYPTOSUITES:
        raise IntegrityError(f"unknown cryptosuite {cryptosuite}")
    proof = {
        "type": "DataIntegrityProof",
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": cryptosuite,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(_hash_data(document, proof))
    proof["proofValue"] = "z" + base58.b58encode(signature).decode()
    secured = copy.deepcopy({key: value for key, value in document.items() if key != "proof"})
    secured["proof"] = [proof]
    return secured


def proofs(document: dict[str, Any]) -> list[dict[str, Any]]:
    proof = document.get("proof")
    if isinstance(proof, dict):
        return [proof]
    if isinstance(proof, list) and all(isinstance(item, dict) for item in proof):
        return proof
    raise IntegrityError("the document has no proof")


def verify(
    document: dict[str, Any], public_key: Ed25519PublicKey, cryptosuite: str = CRYPTOSUITE
) -> dict[str, Any]:
    """Check the document's single proof, made with `cryptosuite`; return it, or raise
    IntegrityError."""
    found = proofs(document)
    if len(found) != 1:
        raise IntegrityError("expected exactly one proof")
    proof = found[0]
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != cryptosuite:
        raise IntegrityError(f"the proof is not a DataIntegrityProof with {cryptosuite}")
    if cryptosuite == CRYPTOSUITE:
        # JCS signs every member as it is written, so only RDF canonicalisation can drop one.
        check_terms(document)
    if proof.get("proofPurpose") != "assertionMethod":
        raise IntegrityError("the proof's purpose is not assertionMethod")
    value = proof.get("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        raise IntegrityError("the proof value is not base58btc multibase")
    try:
        signature = base58.b58decode(value[1:])
        public_key.verify(signature, _hash_data(document, proof))
    except (InvalidSignature, ValueError) as error:
        raise IntegrityError("the signature does not match the credential") from error
    return proof
