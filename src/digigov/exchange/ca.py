"""The federation's certificates: a small CA, member signing and gateway TLS certificates.

Keys are EC P-256. Certificates are identified by the SHA-256 of their DER
form (the fingerprint), which is what the global configuration lists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from digigov.core import pki

CA_YEARS = 20
CERTIFICATE_DAYS = 2 * 365


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return pki.private_pem(key).decode()


def load_key(pem: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("the federation's keys are EC P-256")
    return key


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def certifies(certificate: x509.Certificate, private_key_pem: str) -> bool:
    """Is this certificate for this private key (the same public key)?"""
    return bool(certificate.public_key() == load_key(private_key_pem).public_key())


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def fingerprint_der(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def new_authority(instance: str, now: dt.datetime) -> Authority:
    key = new_key()
    name = _name(f"{instance} federation CA", instance)
    certificate = pki.self_signed(
        key, name, now=now, valid=dt.timedelta(days=365 * CA_YEARS), authority=True
    )
    return Authority(key, certificate)


def issue(
    authority: Authority,
    *,
    public_key: ec.EllipticCurvePublicKey,
    common_name: str,
    organisation: str,
    purpose: str,
    now: dt.datetime,
    days: int = CERTIFICATE_DAYS,
    hosts: list[str] | None = None,
) -> x509.Certificate:
    """A certificate for a member's signing key (`sign`) or a gateway's TLS key (`tls`)."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(authority.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # Strict X.509 checking (Python 3.13's default) wants both key identifiers.
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
            critical=False,
        )
    )
    if purpose == "tls":
        names: list[x509.GeneralName] = []
        for host in hosts or ["localhost"]:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    elif purpose != "sign":
        raise ValueError(f"unknown certificate purpose {purpose!r}")
    return builder.sign(authority.key, hashes.SHA256())
