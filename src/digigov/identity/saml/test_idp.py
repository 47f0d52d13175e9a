"""The installation's test SAML identity provider, for the demo and the tests.

It is a Sweden Connect identity provider in miniature, built on pysaml2's own IdP: it
publishes signed metadata, accepts only signed AuthnRequests from the service
providers it knows (this installation's), lets a person pick a test person and a level
(or shows the person a PrincipalSelection names), and answers with a signed assertion
encrypted to the service provider, carrying the Swedish eID Framework's attributes and
the level as AuthnContextClassRef. Off in production unless enabled.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.sigver import SIG_RSA_SHA256

from digigov.identity.saml import keys

ATTRIBUTE_MAPS = str(Path(__file__).parent / "attributemaps")
PRINCIPAL_SELECTION = "http://id.swedenconnect.se/authn/1.0/principal-selection/ns"


def entity_id() -> str:
    return f"{settings.PUBLIC_URL}/test-idp/metadata"


def key_pair() -> keys.Pair:
    return keys.pair(settings.SAML_DIR, "test-idp", "Digigov test identity provider")


def _config() -> IdPConfig:
    from digigov.identity.saml import sp

    pair = key_pair()
    base = settings.PUBLIC_URL
    return IdPConfig().load(
        {
            "entityid": entity_id(),
            "xmlsec_binary": settings.SAML_XMLSEC,
            "key_file": str(pair.key),
            "cert_file": str(pair.certificate),
            "encryption_keypairs": [
                {"key_file": str(pair.key), "cert_file": str(pair.certificate)}
            ],
            "attribute_map_dir": ATTRIBUTE_MAPS,
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": keys.DIGEST,
            "accepted_time_diff": 60,
            "service": {
                "idp": {
                    "name": "Digigov test IdP",
                    "endpoints": {
                        "single_sign_on_service": [(f"{base}/test-idp/sso", BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(f"{base}/test-idp/slo", BINDING_HTTP_REDIRECT)],
                    },
                    "want_authn_requests_signed": True,
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "name_form": NAME_FORMAT_URI,
                            "attribute_restrictions": None,
                        }
                    },
                }
            },
            "metadata": {"inline": [sp.metadata_xml()]},
        }
    )


_lock = threading.Lock()
_servers: dict[str, Server] = {}


def server() -> Server:
    with _lock:
        found = _servers.get(settings.PUBLIC_URL)
        if found is None:
            found = _servers[settings.PUBLIC_URL] = Server(config=_config())
        return found


def metadata_xml() -> str:
    from saml2.metadata import entity_descriptor, sign_entity_descriptor
    from saml2.sigver import security_context

    config = _config()
    config.valid_for = 24 * 7
    descriptor = entity_descriptor(config)
    _id, signed = sign_entity_descriptor(
        descriptor, None, security_context(config), sign_alg=SIG_RSA_SHA256, digest_alg=keys.DIGEST
    )
    return str(signed)


_federations: dict[str, Any] = {}


def as_federation() -> Any:
    """The test provider's metadata as the federation's (nothing to fetch)."""
    from digigov.identity.saml.federation import Metadata

    with _lock:
        found = _federations.get(settings.PUBLIC_URL)
    if found is None:
        xml = metadata_xml()
        found = Metadata(xml, hashlib.sha256(xml.encode()).hexdigest(), time.time(), None)
        with _lock:
            _federations[settings.PUBLIC_URL] = found
    return found


@dataclass(frozen=True)
class Request:
    """A checked AuthnRequest: whom to answer, for which level, about whom if named."""

    request_id: str
    sp: str
    acs: str
    levels: list[str]
    principal: str


def read_request(saml_request: str, relay_state: str, sigalg: str, signature: str) -> Request:
    """Parse and check a signed AuthnRequest (HTTP-Redirect). Raises ValueError."""
    try:
        parsed = server().parse_authn_request(
            saml_request,
            BINDING_HTTP_REDIRECT,
            relay_state=relay_state,
            sigalg=sigalg,
            signature=signature,
        )
    except Exception as error:
        raise ValueError(f"{type(error).__name__}: {error}") from error
    if parsed is None:
        raise ValueError("no AuthnRequest")
    message = parsed.message
    levels: list[str] = []
    requested = message.requested_authn_context
    if requested is not None:
        levels = [ref.text.strip() for ref in requested.authn_context_class_ref if ref.text]
    principal = ""
    for element in (message.extensions.extension_elements if message.extensions else []) or []:
        if element.tag == "PrincipalSelection" and element.namespace == PRINCIPAL_SELECTION:
            for match in element.children:
                principal = (match.text or "").strip()
    arguments = server().response_args(message)
    return Request(
        request_id=message.id,
        sp=arguments["sp_entity_id"],
        acs=arguments["destination"],
        levels=levels,
        principal=principal,
    )


def respond(
    request: Request, *, number: str, given_name: str, surname: str, level: str, relay: str
) -> dict[str, Any]:
    """The signed, encrypted answer as an HTTP-POST form: `url` and `fields`."""
    idp = server()
    identity = {
        "personalIdentityNumber": [number],
        "givenName": [given_name],
        "sn": [surname],
        "displayName": [f"{given_name} {surname}"],
        "dateOfBirth": [f"{number[:4]}-{number[4:6]}-{int(number[6:8]) % 60:02d}"],
    }
    response = idp.create_authn_response(
        identity=identity,
        in_response_to=request.request_id,
        destination=request.acs,
        sp_entity_id=request.sp,
        name_id=NameID(
            format=NAMEID_FORMAT_TRANSIENT, text=hashlib.sha256(number.encode()).hexdigest()[:32]
        ),
        authn={"class_ref": level, "authn_auth": entity_id()},
        sign_assertion=True,
        sign_response=True,
        encrypt_assertion=True,
        encrypt_cert_assertion=None,  # the service provider's, from its metadata
        sign_alg=SIG_RSA_SHA256,
        digest_alg=keys.DIGEST,
    )
    info = idp.apply_binding(BINDING_HTTP_POST, str(response), request.acs, relay, response=True)
    return {"url": request.acs, "fields": _form_fields(info)}


def _form_fields(info: dict[str, Any]) -> dict[str, str]:
    """The hidden fields pysaml2 put in its auto-posting form (SAMLResponse, RelayState)."""
    import re

    body = info["data"]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', body))
    return {name: value for name, value in fields.items() if name in {"SAMLResponse", "RelayState"}}


def logout(saml_request: str, relay_state: str, sigalg: str, signature: str) -> str:
    """Answer a signed LogoutRequest: the address of the service provider's logout
    service with a signed LogoutResponse. Raises ValueError."""
    idp = server()
    try:
        parsed = idp.parse_logout_request(
            saml_request,
            BINDING_HTTP_REDIRECT,
            relay_state=relay_state,
            sigalg=sigalg,
            signature=signature,
        )
    except Exception as error:
        raise ValueError(f"{type(error).__name__}: {error}") from error
    if parsed is None:
        raise ValueError("no LogoutRequest")
    response = idp.create_logout_response(parsed.message, [BINDING_HTTP_REDIRECT], sign=False)
    destination = idp.metadata.single_logout_service(
        parsed.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
    )[0]["location"]
    info = idp.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        relay_state,
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return str(dict(info["headers"])["Location"])
