"""The federation's metadata: which identity providers there are, their endpoints and keys.

Read from DIGIGOV_SAML_METADATA_URL (Sweden Connect publishes it, signed), checked
against the federation's certificate and its validUntil, kept in the data folder, and
read anew every DIGIGOV_SAML_METADATA_HOURS. A failed refresh keeps the last good copy
while it is valid. Without a URL, the installation's test identity provider is the
federation (demo and test).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings
from lxml import etree
from signxml import VerifyResult, XMLVerifier
from signxml.exceptions import InvalidInput, InvalidSignature

from digigov.core import outbound
from digigov.identity.oidc import SignInError

logger = logging.getLogger(__name__)
METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
SIZE_LIMIT = 50 * 1024 * 1024  # Sweden Connect's aggregate is a few MB


@dataclass(frozen=True)
class Metadata:
    xml: str
    digest: str
    fetched: float  # time.time()
    valid_until: dt.datetime | None


class BadMetadata(Exception):
    pass


def _valid_until(root: etree._Element) -> dt.datetime | None:
    text = root.get("validUntil")
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise BadMetadata(f"validUntil is not a time: {text!r}") from error


def checked(document: bytes, certificate_pem: str) -> Metadata:
    """The metadata, if signed by the federation's key over its whole root and still
    valid; only what the signature covers is used."""
    try:
        verified = XMLVerifier().verify(document, x509_cert=certificate_pem)
    except (InvalidSignature, InvalidInput, etree.XMLSyntaxError) as error:
        raise BadMetadata(f"the signature does not verify: {error}") from error
    if not isinstance(verified, VerifyResult):
        raise BadMetadata("the metadata's signature has more than one reference")
    root = verified.signed_xml
    if root is None or etree.QName(root).namespace != METADATA_NS:
        raise BadMetadata("the signed element is not SAML metadata")
    if etree.QName(root).localname not in {"EntitiesDescriptor", "EntityDescriptor"}:
        raise BadMetadata("the signed element is not SAML metadata")
    until = _valid_until(root)
    if until is not None and until < dt.datetime.now(dt.UTC):
        raise BadMetadata(f"the metadata ran out at {until.isoformat()}")
    xml = etree.tostring(root, encoding="unicode")
    return Metadata(xml, hashlib.sha256(xml.encode()).hexdigest(), time.time(), until)


_lock = threading.Lock()
_current: Metadata | None = None


def _stored() -> Path:
    return Path(settings.SAML_DIR) / "federation.xml"


def _fetch() -> bytes:
    with outbound.http_client(timeout=30.0, follow_redirects=True) as http:
        response = http.get(settings.SAML_METADATA_URL)
        response.raise_for_status()
        if len(response.content) > SIZE_LIMIT:
            raise BadMetadata("the metadata is too large")
        return response.content


def _certificate() -> str:
    return Path(settings.SAML_METADATA_CERTIFICATE).read_text()


def refresh() -> Metadata:
    """Read the federation's metadata now; keep it if it checks out."""
    global _current
    document = _fetch()
    metadata = checked(document, _certificate())
    folder = _stored().parent
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / ".federation.xml.new"
    temporary.write_bytes(document)
    temporary.replace(_stored())
    with _lock:
        _current = metadata
    return metadata


def _fresh(metadata: Metadata | None) -> bool:
    return (
        metadata is not None
        and time.time() - metadata.fetched < settings.SAML_METADATA_HOURS * 3600
    )


def _usable(metadata: Metadata | None) -> bool:
    return metadata is not None and (
        metadata.valid_until is None or metadata.valid_until > dt.datetime.now(dt.UTC)
    )


def current() -> Metadata:
    """The metadata in force: the test identity provider's, or the federation's, read
    anew when older than DIGIGOV_SAML_METADATA_HOURS."""
    global _current
    if not settings.SAML_METADATA_URL:
        from digigov.identity.saml import test_idp

        return test_idp.as_federation()
    with _lock:
        known = _current
    if _fresh(known):
        assert known is not None
        return known
    if known is None and _stored().exists():
        try:
            stored = checked(_stored().read_bytes(), _certificate())
            # a copy from an earlier run: used, but read anew now
            known = Metadata(stored.xml, stored.digest, 0.0, stored.valid_until)
        except BadMetadata as error:
            logger.warning("the stored federation metadata is not usable: %s", error)
    try:
        return refresh()
    except (httpx.HTTPError, BadMetadata, OSError) as error:
        logger.warning("could not refresh the federation metadata: %s", error)
        if _usable(known):
            assert known is not None
            with _lock:
                _current = Metadata(known.xml, known.digest, time.time(), known.valid_until)
            return known
        raise SignInError("provider_unavailable", f"no federation metadata: {error}") from error
