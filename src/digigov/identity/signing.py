"""Signing with e-ID: what a person signs (a text they read, and a document's SHA-256
signed unseen), and the check that the provider's evidence signs exactly that.

BankID signs `bankIdSignedData` holding the visible text and the unseen data with the
person's certificate; the check verifies that XML signature against the CA the
installation trusts for BankID signatures (the simulator's, or BankID's own named by
DIGIGOV_BANKID_SIGNATURE_CA), that the texts are the ones shown, that the signer is the
person expected, and that the OCSP response says the certificate was good.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from django.conf import settings
from lxml import etree
from signxml import SignatureConfiguration, SignatureMethod, VerifyResult, XMLVerifier
from signxml.exceptions import InvalidCertificate, InvalidInput, InvalidSignature

BANKID_NS = {"b": "http://www.bankid.com/signature/v1.0.0/types"}
ACCEPTED = frozenset(
    {
        SignatureMethod.ECDSA_SHA256,
        SignatureMethod.RSA_SHA256,
        SignatureMethod.ECDSA_SHA512,
        SignatureMethod.RSA_SHA512,
    }
)


class NotSigned(Exception):
    """The evidence does not show that the person signed what they were shown."""


@dataclass(frozen=True)
class ToSign:
    """What one signature covers: the text shown and the document's digest."""

    text: str
    digest: str  # SHA-256, hex

    @property
    def unseen(self) -> bytes:
        return self.digest.encode()


def digest_of(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()


def trusted_ca() -> str:
    """The CA file that BankID signatures must chain to."""
    if settings.BANKID_SIGNATURE_CA:
        return str(settings.BANKID_SIGNATURE_CA)
    from digigov.identity.bankid import certificates

    return str(certificates.simulator_files().ca_certificate)


def _decoded(value: object, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as error:
        raise NotSigned(f"{what} is not base64") from error


def _ocsp_good(completion: dict[str, Any], signer: x509.Certificate, ca_file: str) -> None:
    response = ocsp.load_der_ocsp_response(_decoded(completion.get("ocspResponse"), "ocspResponse"))
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise NotSigned("the OCSP response is not successful")
    if response.certificate_status != ocsp.OCSPCertStatus.GOOD:
        raise NotSigned("the OCSP response does not say the certificate is good")
    if response.serial_number != signer.serial_number:
        raise NotSigned("the OCSP response is about another certificate")
    issuers = x509.load_pem_x509_certificates(Path(ca_file).read_bytes())
    algorithm = response.signature_hash_algorithm
    for issuer in issuers:
        key = issuer.public_key()
        try:
            if isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
                key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(algorithm))
                return
            if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
                key.verify(
                    response.signature,
                    response.tbs_response_bytes,
                    padding.PKCS1v15(),
                    algorithm,
                )
                return
        except CryptoInvalidSignature:
            continue
    raise NotSigned("the OCSP response is not signed by a trusted CA")


def _signing_certificate(signature: etree._Element, key_pem: bytes) -> x509.Certificate:
    """The certificate in KeyInfo whose key made the signature."""
    from cryptography.hazmat.primitives import serialization

    for element in signature.iter("{http://www.w3.org/2000/09/xmldsig#}X509Certificate"):
        certificate = x509.load_der_x509_certificate(
            _decoded("".join((element.text or "").split()), "certificate")
        )
        pem = certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if pem.strip() == key_pem.strip():
            return certificate
    raise NotSigned("no certificate for the signing key")


def check_bankid(completion: dict[str, Any], expected: ToSign, signer: str) -> str:
    """Raise NotSigned unless BankID's completion data shows `signer` signing `expected`;
    returns the signer's name."""
    ca_file = trusted_ca()
    document = _decoded(completion.get("signature"), "signature")
    try:
        verified = XMLVerifier().verify(
            document,
            ca_pem_file=ca_file,
            expect_config=SignatureConfiguration(signature_methods=ACCEPTED),
        )
    except (InvalidSignature, InvalidCertificate, InvalidInput, etree.XMLSyntaxError) as error:
        raise NotSigned(f"the signature does not verify: {error}") from error
    if not isinstance(verified, VerifyResult):  # one reference expected, one result
        raise NotSigned("the signature has more than one reference")
    signed = verified.signed_xml
    if signed is None or etree.QName(signed).localname != "bankIdSignedData":
        raise NotSigned("the signature is not over bankIdSignedData")
    visible = _decoded(signed.findtext("b:usrVisibleData", namespaces=BANKID_NS) or "", "text")
    if visible.decode(errors="replace") != expected.text:
        raise NotSigned("the signed text is not the text shown")
    unseen = signed.findtext("b:usrNonVisibleData", namespaces=BANKID_NS) or ""
    if _decoded(unseen, "unseen data") != expected.unseen:
        raise NotSigned("the signed document is not the one shown")
    number = signed.findtext("b:clientInfo/b:personalNumber", namespaces=BANKID_NS) or ""
    user = completion.get("user") or {}
    if number != signer or user.get("personalNumber") != signer:
        raise NotSigned("someone else signed")
    certificate = _signing_certificate(verified.signature_xml, verified.signature_key)
    _ocsp_good(completion, certificate, ca_file)
    return str(user.get("name") or "")
