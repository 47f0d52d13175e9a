"""RFC 3161 timestamps: a timestamping authority (TSA) signs that some data existed by a time.

The logs' checkpoints (core.anchors) are timestamped where DIGIGOV_ANCHOR_TSA names a TSA,
so the time of every anchor is vouched for by someone outside the federation: a
checkpoint file rebuilt afterwards cannot carry the old times.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import httpx
from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from digigov.core import outbound

CONTENT_TYPE = "application/timestamp-query"
SHA256 = "sha256"
_HASHES = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}


class TimestampError(Exception):
    """The TSA refused or failed, or a token does not vouch for the data."""


@dataclass(frozen=True)
class Stamp:
    token: bytes  # the TimeStampToken (a CMS ContentInfo), DER
    time: dt.datetime  # genTime


def _request(digest: bytes, nonce: int) -> bytes:
    return tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {
                "hash_algorithm": {"algorithm": SHA256},
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    ).dump()


def stamp(url: str, data: bytes, *, timeout: float = 10.0) -> Stamp:
    """Ask the TSA at `url` to timestamp `data` (its SHA-256); the token, checked."""
    nonce = secrets.randbits(63)
    try:
        with outbound.http_client(timeout=timeout) as client:
            answer = client.post(
                url,
                content=_request(hashlib.sha256(data).digest(), nonce),
                headers={"Content-Type": CONTENT_TYPE},
            )
    except httpx.HTTPError as error:
        raise TimestampError(f"the TSA cannot be reached: {error}") from error
    if answer.status_code != 200:
        raise TimestampError(f"the TSA answered {answer.status_code}")
    try:
        response = tsp.TimeStampResp.load(answer.content)
        status = response["status"]["status"].native
        if status not in ("granted", "granted_with_mods"):
            raise TimestampError(f"the TSA did not grant the timestamp ({status})")
        token = response["time_stamp_token"].dump()
    except (ValueError, KeyError, TypeError) as error:
        raise TimestampError(f"the TSA's answer is not RFC 3161: {error}") from error
    info = _info(token)
    if info["nonce"].native != nonce:
        raise TimestampError("the TSA answered another request (nonce)")
    return Stamp(token, check(token, data))


def _info(token: bytes) -> tsp.TSTInfo:
    content = cms.ContentInfo.load(token)
    if content["content_type"].native != "signed_data":
        raise TimestampError("the token is not CMS signed data")
    encapsulated = content["content"]["encap_content_info"]
    if encapsulated["content_type"].native != "tst_info":
        raise TimestampError("the token holds no TSTInfo")
    return encapsulated["content"].parsed


def check(token: bytes, data: bytes, trusted: list[x509.Certificate] | None = None) -> dt.datetime:
    """When the TSA vouches `data` existed: the token's imprint is `data`'s hash and its
    signature verifies with the TSA certificate it carries (one of `trusted`, if given)."""
    try:
        content = cms.ContentInfo.load(token)
        signed = content["content"]
        info = _info(token)
        imprint = info["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        if algorithm not in _HASHES:
            raise TimestampError(f"the token's hash is {algorithm}")
        digest = hashlib.new(algorithm, data).digest()
        if imprint["hashed_message"].native != digest:
            raise TimestampError("the token is for other data")
        [signer] = list(signed["signer_infos"])
        certificate = _signer_certificate(signed, signer)
        if trusted is not None and certificate not in trusted:
            raise TimestampError("the token is signed by a TSA that is not trusted")
        _verify(signed, signer, certificate)
        when: dt.datetime = info["gen_time"].native
    except (ValueError, KeyError, TypeError) as error:
        raise TimestampError(f"not an RFC 3161 token: {error}") from error
    return when


def _signer_certificate(signed: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate:
    sid = signer["sid"]
    for choice in signed["certificates"] or []:
        candidate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if (
                candidate.issuer == wanted["issuer"]
                and candidate.serial_number == wanted["serial_number"].native
            ):
                return x509.load_der_x509_certificate(candidate.dump())
        elif candidate.key_identifier == sid.chosen.native:
            return x509.load_der_x509_certificate(candidate.dump())
    raise TimestampError("the token does not carry its TSA's certificate")


def _verify(signed: cms.SignedData, signer: cms.SignerInfo, certificate: x509.Certificate) -> None:
    content = signed["encap_content_info"]["content"].contents
    attributes = signer["signed_attrs"]
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        raise TimestampError(f"the token's signature uses {digest_name}")
    wanted = hashlib.new(digest_name, content).digest()
    message_digest = next(
        (a["values"][0].native for a in attributes if a["type"].native == "message_digest"), None
    )
    if message_digest != wanted:
        raise TimestampError("the token's signed digest is not its content's")
    # The signature is over the signed attributes as a SET (RFC 5652 5.4).
    signed_bytes = attributes.untag().dump(force=True)
    signature = signer["signature"].native
    key = certificate.public_key()
    algorithm = _HASHES[digest_name]
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed_bytes, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed_bytes, ec.ECDSA(algorithm))
        else:
            raise TimestampError("the TSA's key is neither RSA nor EC")
    except InvalidSignature as error:
        raise TimestampError("the token's signature does not verify") from error
