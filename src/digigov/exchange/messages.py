"""Signed messages between gateways (docs/adr/0007).

The consumer's gateway signs a summary of the request: its ids and time, who
calls which service, the method and path, the SHA-256 of every end-to-end
header and of the body. The provider's gateway signs the same of its response, with
the hash of the request it answers. Signatures are compact JWS (ES256) with
the signing certificate's fingerprint in `x5t#S256`; the receiver finds the
certificate in the global configuration, recomputes every hash and compares.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from digigov.exchange import ca
from digigov.exchange.configuration import GlobalConf

SIGNATURE_HEADER = "x-digigov-signature"
# The gateway proves itself to the local service it calls with that service's own token
# (exchange.queries.gateway_service checks it).
SERVICE_TOKEN_HEADER = "x-digigov-gateway-token"  # noqa: S105 - a header name
# Never passed on, never signed: the connection's own headers (RFC 9110 7.6.1) and
# those the transport sets again at every hop.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "expect",
    }
)
# The gateways' own headers between themselves and towards the services they front.
OWN_PREFIX = "x-digigov-"
# What the gateways themselves set on an answer; a service's own are not passed.
GATEWAY_RESPONSE_HEADERS = frozenset(
    {
        "x-road-client",
        "x-road-service",
        "x-road-id",
        "x-road-request-id",
        "x-road-request-hash",
        "x-road-error",
    }
)
# How far a message's time may be from ours.
CLOCK_SKEW = dt.timedelta(minutes=5)


class MessageError(Exception):
    """A message that must be refused, with the X-Road error type to answer."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Signer:
    """A member's signing key and the fingerprint of its certificate."""

    member_id: str
    key: ec.EllipticCurvePrivateKey
    fingerprint: str
    header: str  # the protected header, encoded once

    @classmethod
    def of(cls, member_id: str, private_key_pem: str, certificate_pem: str) -> Signer:
        fingerprint = ca.fingerprint(ca.load_certificate(certificate_pem))
        header = {"alg": "ES256", "kid": member_id, "x5t#S256": fingerprint}
        return cls(
            member_id,
            ca.load_key(private_key_pem),
            fingerprint,
            _b64(json.dumps(header, separators=(",", ":")).encode()),
        )

    def sign(self, summary: dict[str, Any]) -> str:
        """A compact JWS (RFC 7515) of the summary, ES256 (RFC 7518 §3.4)."""
        payload = _b64(json.dumps(summary, sort_keys=True, separators=(",", ":")).encode())
        signing_input = f"{self.header}.{payload}".encode("ascii")
        r, s = decode_dss_signature(self.key.sign(signing_input, ES256))
        return f"{self.header}.{payload}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


ES256 = ec.ECDSA(hashes.SHA256())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if "=" in text:
        raise ValueError("padded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def end_to_end(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers that pass through the gateways, both ways (PR-REST 4.3, 4.4): every
    one but the hop-by-hop ones, those the Connection header names, and our own."""
    named = {name.strip().lower() for name in headers.get("connection", "").split(",")}
    return {
        name: value
        for name, value in headers.items()
        if name not in HOP_BY_HOP and name not in named and not name.startswith(OWN_PREFIX)
    }


def response_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A service's answer's headers as they pass on: end to end, but not those only the
    gateways set."""
    return {
        name: value
        for name, value in end_to_end(headers).items()
        if name not in GATEWAY_RESPONSE_HEADERS
    }


def headers_hash(headers: Mapping[str, str]) -> str:
    """The signature covers every header that passes, by lower-case name."""
    passed = end_to_end(headers)
    lines = [f"{name}:{passed[name].strip()}" for name in sorted(passed)]
    return sha256("\n".join(lines).encode())


def replay_key(signature: str) -> str:
    """What makes a signed message unique: its signed header and summary, which name the
    sender, the request id the sending gateway gave it and the time. Not the signature's
    own bytes, which another valid signature of the same summary would change."""
    return sha256(signature.rpartition(".")[0].encode())


def request_hash(signature: str) -> str:
    """X-Road-Request-Hash: base64 SHA-512 of the signed request (which covers headers and body)."""
    return base64.b64encode(hashlib.sha512(signature.encode()).digest()).decode()


def request_summary(
    *,
    message_id: str,
    time: dt.datetime,
    client: str,
    service: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    return {
        "kind": "request",
        "id": message_id,
        # the sending gateway's own id of this message, so no two summaries are alike
        "request_id": headers.get("x-road-request-id", ""),
        "time": time.astimezone(dt.UTC).isoformat(),
        "client": client,
        "service": service,
        "method": method,
        "path": path,
        "headers": headers_hash(headers),
        "body": sha256(body),
    }


def response_summary(
    *,
    request_signature: str,
    time: dt.datetime,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    return {
        "kind": "response",
        "request": request_hash(request_signature),
        "time": time.astimezone(dt.UTC).isoformat(),
        "status": status,
        "headers": headers_hash(response_headers(headers)),
        "body": sha256(body),
    }


def verify(
    signature: str, conf: GlobalConf, *, member_id: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The signing member and the summary, if the signature verifies with a
    certificate the configuration lists for that member; MessageError otherwise."""
    return verify_with(signature, conf.verification_keys, member_id=member_id)


def verify_with(
    signature: str,
    keys: Mapping[tuple[str, str], ec.EllipticCurvePublicKey],
    *,
    member_id: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """As `verify`, with the keys given by (member, certificate fingerprint)."""
    try:
        header_part, payload_part, signature_part = signature.split(".")
        header = json.loads(_unb64(header_part))
        raw = _unb64(signature_part)
        if not isinstance(header, dict) or header.get("alg") != "ES256" or len(raw) != 64:
            raise ValueError("not an ES256 signature")
    except (ValueError, binascii.Error) as error:
        raise MessageError(f"the signature is not a JWS: {error}", "InvalidSignature") from error
    signer = str(header.get("kid", ""))
    if member_id is not None and signer != member_id:
        raise MessageError(f"signed by {signer!r}, expected {member_id!r}", "InvalidSignature")
    key = keys.get((signer, str(header.get("x5t#S256", ""))))
    if key is None:
        raise MessageError(
            f"{signer!r} has no valid signing certificate with that fingerprint in the global configuration",
            "InvalidSignature",
        )
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, f"{header_part}.{payload_part}".encode("ascii"), ES256)
        summary = json.loads(_unb64(payload_part))
    except (InvalidSignature, UnicodeEncodeError) as error:
        raise MessageError("the signature does not verify", "InvalidSignature") from error
    except (ValueError, binascii.Error) as error:
        raise MessageError(
            f"the signed summary is not JSON: {error}", "InvalidSignature"
        ) from error
    if not isinstance(summary, dict):
        raise MessageError("the signed summary is not an object", "InvalidSignature")
    return signer, summary


def check(summary: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every signed field must be what was received; the time must be near ours."""
    for name, value in expected.items():
        if name == "time":
            continue
        if summary.get(name) != value:
            raise MessageError(f"the message's {name} is not what was signed", "InvalidMessage")
    try:
        sent = dt.datetime.fromisoformat(str(summary.get("time")))
    except ValueError as error:
        raise MessageError("the message has no valid time", "InvalidMessage") from error
    now = (
        dt.datetime.fromisoformat(expected["time"])
        if "time" in expected
        else dt.datetime.now(dt.UTC)
    )
    if abs(now - sent) > CLOCK_SKEW:
        raise MessageError("the message's time is too far from ours", "InvalidMessage")
