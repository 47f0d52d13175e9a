"""The simulator's completion evidence, shaped as BankID's: an XML signature
(`bankIdSignedData`, signed by a certificate issued to the person by the simulator's
test CA) and an OCSP response, signed by that CA, saying the certificate is good."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureMethod, XMLSigner

from digigov.identity.bankid import certificates

NAMESPACE = "http://www.bankid.com/signature/v1.0.0/types"


def _user_certificate(
    number: str, name: str, now: dt.datetime
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    ca = certificates.ca_certificate()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, number),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(certificates.ca_key().public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(certificates.ca_key(), hashes.SHA256())
    )
    return key, certificate


def signed_data(
    *, order_ref: str, visible: str, non_visible: str, number: str, device_ip: str
) -> bytes:
    """What BankID signs: the visible and unseen texts, and the server's and client's
    details; returned as canonical XML bytes before signing."""
    root = etree.Element(f"{{{NAMESPACE}}}bankIdSignedData", nsmap={None: NAMESPACE})
    root.set("Id", "bidSignedData")
    etree.SubElement(root, f"{{{NAMESPACE}}}usrVisibleData").text = base64.b64encode(
        visible.encode()
    ).decode()
    if non_visible:
        etree.SubElement(root, f"{{{NAMESPACE}}}usrNonVisibleData").text = non_visible
    server = etree.SubElement(root, f"{{{NAMESPACE}}}srvInfo")
    etree.SubElement(server, f"{{{NAMESPACE}}}nonce").text = base64.b64encode(
        hashlib.sha256(order_ref.encode()).digest()
    ).decode()
    client = etree.SubElement(root, f"{{{NAMESPACE}}}clientInfo")
    etree.SubElement(client, f"{{{NAMESPACE}}}funcId").text = "Identification"
    etree.SubElement(client, f"{{{NAMESPACE}}}host").text = device_ip
    etree.SubElement(client, f"{{{NAMESPACE}}}personalNumber").text = number
    return etree.tostring(root)


def complete(
    *, order_ref: str, visible: str, non_visible: str, number: str, name: str, device_ip: str
) -> tuple[str, str]:
    """The base64 signature XML and base64 OCSP response of a completed order."""
    now = dt.datetime.now(dt.UTC)
    key, certificate = _user_certificate(number, name, now)
    data = etree.fromstring(
        signed_data(
            order_ref=order_ref,
            visible=visible,
            non_visible=non_visible,
            number=number,
            device_ip=device_ip,
        )
    )
    pem = serialization.Encoding.PEM
    signed = XMLSigner(signature_algorithm=SignatureMethod.ECDSA_SHA256).sign(
        data,
        key=key,
        cert=[certificate.public_bytes(pem).decode()],
        reference_uri="#bidSignedData",
        id_attribute="Id",
    )
    signature = base64.b64encode(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))
    return signature.decode(), base64.b64encode(ocsp_response(certificate, now)).decode()


def ocsp_response(certificate: x509.Certificate, now: dt.datetime) -> bytes:
    ca = certificates.ca_certificate()
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=certificate,
            issuer=ca,
            algorithm=hashes.SHA256(),
            cert_status=ocsp.OCSPCertStatus.GOOD,
            this_update=now,
            next_update=now + dt.timedelta(hours=12),
            revocation_time=None,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, ca)
        .sign(certificates.ca_key(), hashes.SHA256())
    )
    return response.public_bytes(serialization.Encoding.DER)
