"""Digigov as a Sweden Connect service provider against an identity provider it did not
make: one built here from pysaml2's own IdP classes, published in a federation's
metadata that Digigov fetches over HTTP and checks against the federation's key. Then
every answer that must be refused is: unsigned, signed by another key, for another
audience, expired, with an assertion outside the encryption, and wrapped (XML signature
wrapping)."""

from __future__ import annotations

import base64
import copy
import http.server
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.sigver import SIG_RSA_SHA256, security_context

from digigov.identity import loa
from digigov.identity.saml import federation, keys, sp
from digigov.identity.session import SESSION_KEY

pytestmark = pytest.mark.django_db
IDP = "https://idp.example.se/idp"
SSO = "https://idp.example.se/sso"
ANNA = "199003152387"
ERIK = "198511224571"
DIGEST = "http://www.w3.org/2001/04/xmlenc#sha256"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"


def _idp(folder: Path, sp_metadata: str, name: str = "idp") -> Server:
    pair = keys.pair(folder, name, "Independent IdP")
    return Server(
        config=IdPConfig().load(
            {
                "entityid": IDP,
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "key_file": str(pair.key),
                "cert_file": str(pair.certificate),
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": [(SSO, BINDING_HTTP_REDIRECT)]},
                        "want_authn_requests_signed": True,
                        "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                        "policy": {
                            "default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}
                        },
                    }
                },
                "metadata": {"inline": [sp_metadata]},
            }
        )
    )


class _Served(http.server.BaseHTTPRequestHandler):
    document = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/samlmetadata+xml")
        self.send_header("Content-Length", str(len(self.document)))
        self.end_headers()
        self.wfile.write(self.document)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def world(settings, tmp_path, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """A federation with one identity provider, its metadata served over HTTP and signed by
    the federation's key; Digigov configured to use it."""
    settings.SAML_DIR = tmp_path_factory.getbasetemp() / "saml"
    sp_metadata = Client().get(reverse("identity:saml-metadata")).content.decode()
    idp = _idp(tmp_path, sp_metadata)
    # the federation signs the IdP's metadata
    operator = keys.pair(tmp_path, "federation", "Federation operator")
    config = copy.copy(idp.config)
    config.key_file, config.cert_file = str(operator.key), str(operator.certificate)
    config.valid_for = 24
    _id, signed = sign_entity_descriptor(
        entity_descriptor(idp.config),
        None,
        security_context(config),
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST,
    )
    _Served.document = str(signed).encode()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Served)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SAML_METADATA_URL = f"http://127.0.0.1:{server.server_address[1]}/md.xml"
    settings.SAML_METADATA_CERTIFICATE = str(operator.certificate)
    settings.SAML_IDP = IDP
    settings.SAML_TEST_IDP = False
    federation._current = None
    try:
        yield {"idp": idp, "folder": tmp_path, "sp_metadata": sp_metadata}
    finally:
        server.shutdown()
        federation._current = None


def _request(client: Client, idp: Server, **query: str) -> Any:
    started = client.get(reverse("identity:saml-start"), query)
    assert started.status_code == 302 and started.url.startswith(SSO)
    params = {k: v[0] for k, v in parse_qs(urlsplit(started.url).query).items()}
    parsed = idp.parse_authn_request(
        params["SAMLRequest"],
        BINDING_HTTP_REDIRECT,
        relay_state=params.get("RelayState"),
        sigalg=params["SigAlg"],
        signature=params["Signature"],
    )
    return parsed.message


def _response(idp: Server, message: Any, number: str = ANNA, **options: Any) -> str:
    arguments = idp.response_args(message)
    settings = {
        "sign_assertion": True,
        "sign_response": True,
        "encrypt_assertion": True,
        **options,
    }
    response = idp.create_authn_response(
        identity={
            "urn:oid:1.2.752.29.4.13": [number],
            "urn:oid:2.5.4.42": ["Anna"],
            "urn:oid:2.5.4.4": ["Andersson"],
            "urn:oid:2.16.840.1.113730.3.1.241": ["Anna Andersson"],
        },
        name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text="opaque-1"),
        authn={"class_ref": loa.LOA3, "authn_auth": IDP},
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST,
        **{**arguments, **settings},
    )
    return base64.b64encode(str(response).encode()).decode()


def _post(client: Client, saml_response: str):
    return client.post(reverse("identity:saml-acs"), {"SAMLResponse": saml_response})


def test_anna_signs_in_with_an_independent_idp_from_the_federation_metadata(client, world):
    message = _request(client, world["idp"], next="/mina-sidor/")
    assert message.requested_authn_context.authn_context_class_ref[0].text == loa.LOA3
    answer = _post(client, _response(world["idp"], message))
    assert answer.status_code == 302 and answer.url == "/mina-sidor/"
    assert client.session[SESSION_KEY]["number"] == ANNA
    assert client.session[SESSION_KEY]["name"] == "Anna Andersson"


def _refused(client: Client, saml_response: str) -> None:
    answer = _post(client, saml_response)
    assert answer.status_code in {400, 403}, answer.status_code
    assert SESSION_KEY not in client.session


def test_an_unsigned_assertion_is_refused(client, world):
    message = _request(client, world["idp"])
    _refused(client, _response(world["idp"], message, sign_assertion=False, sign_response=False))


def test_an_assertion_not_encrypted_is_refused(client, world):
    message = _request(client, world["idp"])
    _refused(client, _response(world["idp"], message, encrypt_assertion=False))


def test_an_answer_signed_by_another_key_is_refused(client, world, caplog):
    message = _request(client, world["idp"])
    impostor = _idp(world["folder"], world["sp_metadata"], name="impostor")
    _refused(client, _response(impostor, message))
    assert "Signature" in caplog.text


def test_an_answer_for_another_audience_is_refused(client, world):
    """The IdP answers another service provider (whose metadata, say, names our address)."""
    other = world["sp_metadata"].replace(sp.entity_id(), "https://other.example/sp")
    idp = _idp(world["folder"], other)
    idp.metadata.load("inline", world["sp_metadata"])
    message = _request(client, world["idp"])
    _refused(client, _response(idp, message, sp_entity_id="https://other.example/sp"))


def test_an_expired_answer_is_refused(client, world, monkeypatch):
    import saml2.time_util

    message = _request(client, world["idp"])
    saml_response = _response(world["idp"], message)

    class Later:
        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        @staticmethod
        def gmtime(seconds: float | None = None) -> time.struct_time:
            # "now" an hour on; a given moment stays what it is
            return time.gmtime(time.time() + 3600 if seconds is None else seconds)

    monkeypatch.setattr(saml2.time_util, "time", Later())
    _refused(client, saml_response)


def test_an_answer_to_no_request_of_this_browser_is_refused(client, world):
    message = _request(Client(), world["idp"])  # another browser's request
    _request(client, world["idp"])
    _refused(client, _response(world["idp"], message))


def test_an_assertion_beside_the_encrypted_one_is_refused(client, world):
    """A forged assertion in clear beside a genuine encrypted one."""
    message = _request(client, world["idp"])
    genuine = etree.fromstring(base64.b64decode(_response(world["idp"], message)))
    forged = etree.SubElement(genuine, f"{{{SAML}}}Assertion", ID="forged", Version="2.0")
    etree.SubElement(forged, f"{{{SAML}}}Issuer").text = IDP
    _refused(client, base64.b64encode(etree.tostring(genuine)).decode())


def test_a_wrapped_signature_is_refused(client, world, caplog):
    """XML signature wrapping: Anna's genuine signed assertion is tucked inside a forged one
    naming Erik, and the whole encrypted to Digigov with its public key, as an attacker
    who holds Anna's signed assertion could."""
    message = _request(client, world["idp"])
    plain = etree.fromstring(
        base64.b64decode(_response(world["idp"], message, encrypt_assertion=False))
    )
    genuine = plain.find(f"{{{SAML}}}Assertion")
    forged = copy.deepcopy(genuine)
    forged.set("ID", "_forged")
    for value in forged.iter(f"{{{SAML}}}AttributeValue"):
        if value.text == ANNA:
            value.text = ERIK
    signature = forged.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    forged.remove(signature)
    # the genuine, signed assertion goes inside the forged one's signature, where a
    # careless verifier finds its reference and looks no further
    signature.append(genuine)  # moves it out of the response
    forged.insert(1, signature)
    # as pysaml2 encrypts: the assertion inside EncryptedAssertion, then encrypted in place
    etree.SubElement(plain, f"{{{SAML}}}EncryptedAssertion").append(forged)
    sec = world["idp"].sec
    from saml2.sigver import pre_encryption_part

    certificate = sp.key_pair().certificate_base64()
    pem = keys.Pair(sp.key_pair().key, sp.key_pair().certificate).certificate
    encrypted = sec.encrypt_assertion(
        etree.tostring(plain).decode(),
        str(pem),
        pre_encryption_part(encrypt_cert=certificate),
        node_xpath=None,
    )
    _refused(client, base64.b64encode(str(encrypted).encode()).decode())
    assert re.search("_forged", str(encrypted)) is None  # it really went in encrypted
    assert "SignatureError" in caplog.text  # decrypted, and then the signature failed


def test_federation_metadata_with_a_broken_signature_is_not_used(client, world):
    tampered = _Served.document.replace(SSO.encode(), b"https://evil.example/sso")
    assert tampered != _Served.document
    _Served.document = tampered
    federation._current = None
    for stored in Path(sp.key_pair().key).parent.glob("federation.xml"):
        stored.unlink()
    started = client.get(reverse("identity:saml-start"))
    assert started.status_code == 503
