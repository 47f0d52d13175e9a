"""Keys and certificates the installation makes for itself: a CA (the exchange's
federation, the BankID simulator's test CA), a self-signed certificate for a key of its own
(SAML, a system's TLS in tests), and a private key as PEM. One place for how they are built,
so every one carries what strict verifiers (Python 3.13's ssl) ask of it."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

# What a CA's key may do: sign certificates and revocation lists (and OCSP answers).
CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def self_signed(
    key: PrivateKey,
    name: x509.Name,
    *,
    valid: dt.timedelta,
    now: dt.datetime | None = None,
    backdated: dt.timedelta = dt.timedelta(minutes=5),
    authority: bool = False,
) -> x509.Certificate:
    """A certificate for `key` signed by itself: a CA's (`authority`, with basic constraints,
    its key identifier and CA key usage), or a key's own."""
    now = now or dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - backdated)
        .not_valid_after(now + valid)
    )
    if authority:
        builder = (
            builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(CA_KEY_USAGE, critical=True)
        )
    return builder.sign(key, hashes.SHA256())


def private_pem(key: PrivateKey) -> bytes:
    """A private key as unencrypted PKCS#8 PEM (kept where only the installation reads)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
