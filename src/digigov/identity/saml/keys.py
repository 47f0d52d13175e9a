"""Keys and self-signed certificates for SAML: the service provider's (unless the operator
names their own) and the test identity provider's, made once in the data folder."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from digigov.core import pki

# SHA-256 digests in every signature (the signature method is RSA-SHA256)
DIGEST = "http://www.w3.org/2001/04/xmlenc#sha256"


@dataclass(frozen=True)
class Pair:
    key: Path
    certificate: Path

    def certificate_pem(self) -> str:
        return self.certificate.read_text()

    def certificate_base64(self) -> str:
        """The certificate as it appears in metadata and KeyInfo: DER, base64, one line."""
        lines = self.certificate_pem().strip().splitlines()
        return "".join(line for line in lines if not line.startswith("-----"))


def _write(path: Path, data: bytes) -> None:
    """Atomically, so a process starting beside us never reads half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(temporary, path)


@cache
def pair(folder: Path, name: str, common_name: str) -> Pair:
    """`folder/name-key.pem` and `folder/name.pem`, made on first use (RSA 3072, ten years:
    SAML metadata pins the certificate, so it is not rolled over often)."""
    found = Pair(folder / f"{name}-key.pem", folder / f"{name}.pem")
    if found.key.exists() and found.certificate.exists():
        return found
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = pki.self_signed(
        key, subject, valid=dt.timedelta(days=3650), backdated=dt.timedelta(hours=1)
    )
    if not found.key.exists():
        _write(
            found.key,
            pki.private_pem(key),
        )
        _write(found.certificate, certificate.public_bytes(serialization.Encoding.PEM))
    return found
