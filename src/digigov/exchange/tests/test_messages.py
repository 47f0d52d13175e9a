"""The message signatures: compact ES256 JWS that a general JOSE library agrees with."""

from __future__ import annotations

import base64
import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import ECKey

from digigov.exchange import ca, messages

MEMBER = "SE-TEST/MUN/2120009994"
NOW = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)


@pytest.fixture
def signer() -> messages.Signer:
    authority = ca.new_authority("SE-TEST", NOW)
    key = ca.new_key()
    certificate = ca.issue(
        authority,
        public_key=key.public_key(),
        common_name=MEMBER,
        organisation="Exempelby",
        purpose="sign",
        now=NOW,
    )
    return messages.Signer.of(MEMBER, ca.key_pem(key), ca.certificate_pem(certificate))


def conf_of(signer: messages.Signer) -> Any:
    """The one thing verify asks of a configuration: the listed public keys."""
    return SimpleNamespace(
        verification_keys={(signer.member_id, signer.fingerprint): signer.key.public_key()}
    )


SUMMARY = {"kind": "request", "id": "m-1", "time": NOW.isoformat(), "body": "ab" * 32}


def test_a_signature_verifies_with_joserfc_and_carries_the_member_and_fingerprint(signer):
    signature = signer.sign(SUMMARY)
    token = jws.deserialize_compact(
        signature, ECKey.import_key(signer.key.public_key()), algorithms=["ES256"]
    )
    assert json.loads(token.payload) == SUMMARY
    assert token.protected == {"alg": "ES256", "kid": MEMBER, "x5t#S256": signer.fingerprint}
    assert messages.verify(signature, conf_of(signer), member_id=MEMBER) == (MEMBER, SUMMARY)


def test_a_joserfc_signature_verifies_here(signer):
    header = {"alg": "ES256", "kid": MEMBER, "x5t#S256": signer.fingerprint}
    signature = jws.serialize_compact(
        header, json.dumps(SUMMARY).encode(), ECKey.import_key(signer.key), algorithms=["ES256"]
    )
    assert messages.verify(signature, conf_of(signer))[1] == SUMMARY


def _part(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "tamper",
    [
        "payload",
        "signature",
        "alg none",
        "other member",
        "unknown fingerprint",
        "not three parts",
        "padding",
    ],
)
def test_a_changed_or_foreign_signature_is_refused(signer, tamper):
    header, payload, signature = signer.sign(SUMMARY).split(".")
    if tamper == "payload":
        payload = _part({**SUMMARY, "id": "m-2"})
    elif tamper == "signature":
        raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
        raw[10] ^= 1
        signature = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    elif tamper == "alg none":
        header, signature = _part({"alg": "none", "kid": MEMBER}), ""
    elif tamper == "other member":
        header = _part({"alg": "ES256", "kid": "SE-TEST/MUN/1", "x5t#S256": signer.fingerprint})
    elif tamper == "unknown fingerprint":
        header = _part({"alg": "ES256", "kid": MEMBER, "x5t#S256": "x" * 43})
    elif tamper == "padding":
        signature += "=="
    text = (
        f"{header}.{payload}" if tamper == "not three parts" else f"{header}.{payload}.{signature}"
    )
    with pytest.raises(messages.MessageError) as refused:
        messages.verify(text, conf_of(signer))
    assert refused.value.code == "InvalidSignature"
