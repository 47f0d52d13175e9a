"""The SAML service provider: Digigov as Sweden Connect's relying party.

Requests are signed (HTTP-Redirect, RSA-SHA256) and ask for a level of assurance as an
AuthnContextClassRef, and for the person when known (PrincipalSelection); answers must
be encrypted to our key and the assertion signed by the identity provider's key from the
federation's metadata, for us as audience, in time, answering a request of this browser,
once. The attributes are read as the Swedish eID Framework names them.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, ExtensionElement, samlp
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_TRANSIENT, AuthnContextClassRef
from saml2.samlp import Extensions, RequestedAuthnContext
from saml2.sigver import SIG_RSA_SHA256

from digigov.identity.oidc import SignInError
from digigov.identity.port import Identity
from digigov.identity.saml import crypto, federation, keys

logger = logging.getLogger(__name__)
PROVIDER = "saml"

# Attribute names (urn:oid:...) of the Swedish eID Framework's attribute specification.
PERSONAL_IDENTITY_NUMBER = "urn:oid:1.2.752.29.4.13"
GIVEN_NAME = "urn:oid:2.5.4.42"
SURNAME = "urn:oid:2.5.4.4"
DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"
DATE_OF_BIRTH = "urn:oid:1.3.6.1.5.5.7.9.1"
PRINCIPAL_SELECTION = "http://id.swedenconnect.se/authn/1.0/principal-selection/ns"
# Entity categories a Swedish eID Framework SP declares: it wants personal numbers.
SERVICE_ENTITY_CATEGORY = "http://id.elegnamnden.se/ec/1.0/loa3-pnr"
CLOCK_SKEW_SECONDS = 60


def entity_id() -> str:
    return f"{settings.PUBLIC_URL}/saml/metadata"


def acs_url() -> str:
    return f"{settings.PUBLIC_URL}/saml/acs"


def sls_url() -> str:
    return f"{settings.PUBLIC_URL}/saml/sls"


def key_pair() -> keys.Pair:
    """The service provider's signing and decryption key: the operator's, or (demo, test)
    one made in the data folder."""
    if settings.SAML_KEY and settings.SAML_CERTIFICATE:
        from pathlib import Path

        return keys.Pair(Path(settings.SAML_KEY), Path(settings.SAML_CERTIFICATE))
    return keys.pair(settings.SAML_DIR, "sp", "Digigov service provider")


def _config(metadata_xml: str | None) -> SPConfig:
    pair = key_pair()
    document: dict[str, Any] = {
        "entityid": entity_id(),
        "xmlsec_binary": settings.SAML_XMLSEC,
        "key_file": str(pair.key),
        "cert_file": str(pair.certificate),
        "encryption_keypairs": [{"key_file": str(pair.key), "cert_file": str(pair.certificate)}],
        "allow_unknown_attributes": True,
        "accepted_time_diff": CLOCK_SKEW_SECONDS,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": keys.DIGEST,
        "service": {
            "sp": {
                "name": "Digigov",
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(), BINDING_HTTP_POST)],
                    "single_logout_service": [(sls_url(), BINDING_HTTP_REDIRECT)],
                },
                "authn_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
            }
        },
    }
    if metadata_xml is not None:
        document["metadata"] = {"inline": [metadata_xml]}
    return SPConfig().load(document)


_lock = threading.Lock()
_clients: dict[str, Saml2Client] = {}


def client() -> Saml2Client:
    """The service provider with the federation's current metadata (one per version)."""
    metadata = federation.current()
    with _lock:
        found = _clients.get(metadata.digest)
        if found is None:
            _clients.clear()
            found = Saml2Client(config=_config(metadata.xml))
            # checks and decryption in this process, not a program run for each
            found.sec.crypto = crypto.InProcess(settings.SAML_XMLSEC)
            _clients[metadata.digest] = found
        return found


def metadata_xml() -> str:
    """Our metadata, signed with our key: what the federation registers."""
    from saml2.metadata import entity_descriptor, sign_entity_descriptor
    from saml2.sigver import security_context

    config = _config(None)
    config.valid_for = 24 * 7  # hours; fetched anew long before
    descriptor = entity_descriptor(config)
    _signed_id, signed = sign_entity_descriptor(
        descriptor, None, security_context(config), sign_alg=SIG_RSA_SHA256, digest_alg=keys.DIGEST
    )
    return str(signed)


@dataclass(frozen=True)
class Started:
    request_id: str
    url: str


def start(idp: str, required: str, *, relay_state: str, principal: str = "") -> Started:
    """A signed AuthnRequest to `idp` for `required` (exact), naming the person when known."""
    extensions = None
    if principal:
        selection = ExtensionElement(
            "PrincipalSelection",
            namespace=PRINCIPAL_SELECTION,
            children=[
                ExtensionElement(
                    "MatchValue",
                    namespace=PRINCIPAL_SELECTION,
                    attributes={"Name": PERSONAL_IDENTITY_NUMBER},
                    text=principal,
                )
            ],
        )
        extensions = Extensions(extension_elements=[selection])
    try:
        request_id, info = client().prepare_for_authenticate(
            entityid=idp,
            relay_state=relay_state,
            binding=BINDING_HTTP_REDIRECT,
            sign=True,
            sigalg=SIG_RSA_SHA256,
            requested_authn_context=RequestedAuthnContext(
                authn_context_class_ref=[AuthnContextClassRef(text=required)],
                comparison="exact",
            ),
            extensions=extensions,
            nameid_format=NAMEID_FORMAT_TRANSIENT,
        )
    except SignInError:
        raise
    except Exception as error:  # pysaml2 raises its own kinds for an unknown IdP
        raise SignInError("provider_misconfigured", f"no AuthnRequest to {idp}: {error}") from error
    location = dict(info["headers"])["Location"]
    return Started(request_id, location)


def _attributes(assertion: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            values = [value.text for value in attribute.attribute_value or [] if value.text]
            if values:
                found[attribute.name] = values[0].strip()
    return found


def _decoded(saml_response: str) -> bytes:
    try:
        return base64.b64decode(saml_response, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SignInError("token_invalid", "SAMLResponse is not base64") from error


def finish(saml_response: str, outstanding: dict[str, str]) -> Identity:
    """Check an answer to one of this browser's requests (`outstanding`: request id to
    where it leads) and read who it names. Every failed check is a SignInError."""
    raw = _decoded(saml_response)
    try:
        envelope = samlp.response_from_string(raw.decode())
    except Exception as error:
        raise SignInError("token_invalid", f"not a SAML response: {error}") from error
    if envelope is None or envelope.assertion or not envelope.encrypted_assertion:
        raise SignInError("token_invalid", "the assertion is not encrypted to us")
    try:
        response = client().parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=outstanding
        )
    except SignInError:
        raise
    except Exception as error:  # signature, audience, time, InResponseTo, decryption
        raise SignInError("token_invalid", f"{type(error).__name__}: {error}") from error
    if response is None or response.assertion is None:
        raise SignInError("token_invalid", "no assertion")
    if not response.status_ok():
        raise SignInError("access_denied", "the identity provider says no")
    assertion = response.assertion
    # Once only, whoever brings it: a replayed assertion is refused while it is valid.
    if not cache.add(f"saml-assertion:{assertion.id}", 1, timeout=60 * 60):
        raise SignInError("token_invalid", "the assertion was used before")
    attributes = _attributes(assertion)
    number = attributes.get(PERSONAL_IDENTITY_NUMBER, "")
    if not number:
        raise SignInError("no_identity_number")
    statements = assertion.authn_statement or []
    context = statements[0].authn_context if statements else None
    reference = context.authn_context_class_ref if context is not None else None
    level = reference.text.strip() if reference is not None and reference.text else ""
    given, surname = attributes.get(GIVEN_NAME, ""), attributes.get(SURNAME, "")
    return Identity(
        personal_identity_number=number,
        given_name=given,
        surname=surname,
        display_name=attributes.get(DISPLAY_NAME) or f"{given} {surname}".strip(),
        loa=level,
        provider=PROVIDER,
        subject=str(response.name_id.text if response.name_id is not None else ""),
        method="saml",
        evidence={
            "issuer": response.issuer(),
            "assertion_id": assertion.id,
            "in_response_to": response.in_response_to,
            "session_index": statements[0].session_index if statements else "",
            "name_id": str(response.name_id.text if response.name_id is not None else ""),
            "response": raw.decode(),  # as received: encrypted, signed
        },
    )


def logout_url(idp: str, name_id: str, session_index: str, relay_state: str) -> str | None:
    """A signed LogoutRequest to the identity provider, if it has a logout service."""
    from saml2.saml import NameID

    sp = client()
    try:
        destinations = sp.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    except Exception:
        return None
    if not destinations:
        return None
    destination = destinations[0]["location"]
    _id, request = sp.create_logout_request(
        destination,
        idp,
        name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text=name_id),
        session_indexes=[session_index] if session_index else None,
    )
    info = sp.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(request),
        destination,
        relay_state,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return dict(info["headers"])["Location"]


def logged_out(saml_response: str) -> bool:
    """Does the identity provider say it logged the person out (a LogoutResponse to us)?
    Only logged: the person was signed out here before they went there."""
    try:
        parsed = client().parse_logout_request_response(saml_response, BINDING_HTTP_REDIRECT)
    except Exception as error:
        logger.info("a LogoutResponse was refused: %s", error)
        return False
    return parsed is not None and parsed.status_ok()
