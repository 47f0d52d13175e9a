"""The BankID simulator's test CA and the certificates it issues: the simulator's server
certificate, the relying party's client certificate (the installation's, as BankID
issues one to each relying party), and the CA's own key, which signs the simulator's
signatures and OCSP-style responses.

Made once, on first use, in DIGIGOV_BANKID_SIMULATOR_DIR; every process of the
installation (web server, simulator) reads the same files. None of this is BankID's.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from digigov.core import pki

_YEARS = dt.timedelta(days=365 * 5)


@dataclass(frozen=True)
class Files:
    folder: Path

    @property
    def ca_certificate(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca-key.pem"

    @property
    def server_certificate(self) -> Path:
        return self.folder / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server-key.pem"

    @property
    def rp_certificate(self) -> Path:
        return self.folder / "rp.pem"

    @property
    def rp_key(self) -> Path:
        return self.folder / "rp-key.pem"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Digigov BankID simulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _issue(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_name: x509.Name,
    common_name: str,
    usage: x509.ObjectIdentifier,
    names: list[x509.GeneralName] | None = None,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + _YEARS)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        # key identifiers: strict verifiers (Python 3.13's default) require them
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def make(folder: Path) -> None:
    """A new CA with a server and a relying-party certificate, written to `folder`."""
    import ipaddress

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Digigov BankID simulator test CA")
    now = dt.datetime.now(dt.UTC)
    ca = pki.self_signed(
        ca_key, ca_name, now=now, valid=_YEARS, backdated=dt.timedelta(hours=1), authority=True
    )
    server_names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    server_key, server = _issue(
        ca_key, ca_name, "localhost", ExtendedKeyUsageOID.SERVER_AUTH, server_names
    )
    rp_key, rp = _issue(ca_key, ca_name, "Digigov relying party", ExtendedKeyUsageOID.CLIENT_AUTH)
    files = Files(folder)
    pem = serialization.Encoding.PEM
    files.ca_certificate.write_bytes(ca.public_bytes(pem))
    files.ca_key.write_bytes(pki.private_pem(ca_key))
    files.server_certificate.write_bytes(server.public_bytes(pem))
    files.server_key.write_bytes(pki.private_pem(server_key))
    files.rp_certificate.write_bytes(rp.public_bytes(pem))
    files.rp_key.write_bytes(pki.private_pem(rp_key))


def simulator_files() -> Files:
    """The simulator's certificates, made on first use."""
    return _files(Path(settings.BANKID_SIMULATOR_DIR))


@cache
def _files(folder: Path) -> Files:
    """Two processes starting at once both make a set; the first to move theirs into place
    wins, the other uses it."""
    if (folder / "rp-key.pem").exists() and not _current(folder):
        # made by an earlier version, without key identifiers: made anew
        shutil.rmtree(folder, ignore_errors=True)
    if not (folder / "rp-key.pem").exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bankid-", dir=folder.parent))
        try:
            make(staging)
            os.rename(staging, folder)
        except OSError:
            if not (folder / "rp-key.pem").exists():
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return Files(folder)


def _current(folder: Path) -> bool:
    try:
        certificate = x509.load_pem_x509_certificate((folder / "rp.pem").read_bytes())
        certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    return True


def ca_key() -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(simulator_files().ca_key.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def ca_certificate() -> x509.Certificate:
    return x509.load_pem_x509_certificate(simulator_files().ca_certificate.read_bytes())
