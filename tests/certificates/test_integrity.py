"""eddsa-rdfc-2022 against 1EdTech's official Open Badges 3.0 signing test vector."""

import copy
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.certificates import integrity

VECTOR = Path(__file__).parent / "data" / "test-vector"


def load(name: str):
    text = (VECTOR / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else text


@pytest.fixture
def vector():
    return load("vector.json")


def private_key(vector) -> Ed25519PrivateKey:
    # The vector gives the 32-byte seed followed by the public key.
    return Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex(vector["privateKeyHex_seed_plus_public"][:64])
    )


def test_canonical_document_and_hashes_match_the_vector(vector):
    unsigned = load("unsigned-credential.json")
    canonical = integrity.canonicalize(unsigned)
    assert canonical == load("document-canon.nq")
    assert hashlib.sha256(canonical.encode()).hexdigest() == vector["ob-document-hash"]["value"]
    options = {**vector["proofOptions"], "@context": unsigned["@context"]}
    proof_canonical = integrity.canonicalize(options)
    assert proof_canonical == load("proof-canon.nq")
    assert hashlib.sha256(proof_canonical.encode()).hexdigest() == vector["ob-proof-hash"]["value"]


def test_signing_reproduces_the_vector_signature_exactly(vector):
    unsigned = load("unsigned-credential.json")
    options = vector["proofOptions"]
    signed = integrity.sign(
        unsigned, private_key(vector), options["verificationMethod"], options["created"]
    )
    expected = load("signed-credential.json")["proof"]
    (proof,) = signed["proof"]
    assert proof == expected
    signature = integrity.base58.b58decode(proof["proofValue"][1:])
    assert signature.hex() == vector["ob-signature"]["value"]


def test_the_public_key_multibase_matches_the_vector(vector):
    public = private_key(vector).public_key()
    assert integrity.public_key_multibase(public) == vector["publicKeyMultibase"]
    assert public.public_bytes_raw().hex() == vector["publicKeyHex"]
    decoded = integrity.public_key_from_multibase(vector["publicKeyMultibase"])
    assert decoded.public_bytes_raw() == public.public_bytes_raw()


def test_the_official_signed_credential_verifies(vector):
    signed = load("signed-credential.json")
    public = integrity.public_key_from_multibase(vector["publicKeyMultibase"])
    assert integrity.verify(signed, public)["cryptosuite"] == "eddsa-rdfc-2022"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("name",), "Teamwork Badgf"),
        (("validFrom",), "2010-01-01T00:00:01Z"),
        (("credentialSubject", "achievement", "criteria", "narrative"), "Anyone."),
        (("issuer", "id"), "https://example.edu/issuers/565050"),
        (("proof", "created"), "2010-01-01T19:23:25Z"),
    ],
)
def test_any_changed_value_breaks_the_signature(vector, path, value):
    signed = copy.deepcopy(load("signed-credential.json"))
    target = signed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    public = integrity.public_key_from_multibase(vector["publicKeyMultibase"])
    with pytest.raises(integrity.IntegrityError):
        integrity.verify(signed, public)


def test_a_remote_context_is_refused_not_fetched():
    document = {"@context": ["https://example.org/evil-context.jsonld"], "name": "x"}
    with pytest.raises(integrity.IntegrityError, match="not valid JSON-LD"):
        integrity.canonicalize(document)
