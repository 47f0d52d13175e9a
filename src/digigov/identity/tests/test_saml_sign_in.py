"""Signing in through Sweden Connect over SAML, with the installation's test identity
provider: metadata, the signed request with the level and the person, the encrypted
and signed answer, the attributes, and every way an answer must be refused."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree

from digigov.conftest import sign_in_resident
from digigov.identity import loa
from digigov.identity.models import SignIn
from digigov.identity.saml import sp
from digigov.identity.session import SESSION_KEY

pytestmark = pytest.mark.django_db
ERIK = "198511224571"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


@pytest.fixture(autouse=True)
def _saml_keys(settings, tmp_path_factory):
    settings.SAML_DIR = tmp_path_factory.getbasetemp() / "saml"


def _to_idp(client: Client, **query: str) -> str:
    """Start a sign-in: the test IdP's address with the signed request."""
    response = client.get(reverse("identity:saml-start"), query)
    assert response.status_code == 302, response.content
    return response.url


def _request_xml(url: str) -> etree._Element:
    import zlib

    query = parse_qs(urlsplit(url).query)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    assert query["Signature"]
    inflated = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
    return etree.fromstring(inflated)


def _answer(client: Client, url: str, number: str = ERIK, level: str = loa.LOA3) -> dict:
    """The test IdP's answer for `number` at `level`: the form it posts to our ACS."""
    path = url.removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    posted = client.post(
        "/test-idp/sso", {**query, "personal_identity_number": number, "loa": level}
    )
    assert posted.status_code == 200, posted.content.decode()[:500]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', posted.content.decode()))
    return {name: fields[name] for name in ("SAMLResponse",) if name in fields}


def _post(client: Client, fields: dict):
    return client.post(reverse("identity:saml-acs"), fields)


def test_erik_signs_in_through_sweden_connect_at_loa3(client):
    url = _to_idp(client, next="/mina-sidor/")
    request = _request_xml(url)
    context = request.find(f"{{{SAMLP}}}RequestedAuthnContext")
    assert context.get("Comparison") == "exact"
    assert context.findtext(f"{{{SAML}}}AuthnContextClassRef") == loa.LOA3
    fields = _answer(client, url)
    answer = base64.b64decode(fields["SAMLResponse"])
    assert b"EncryptedAssertion" in answer and b"personalIdentityNumber" not in answer
    response = _post(client, fields)
    assert response.status_code == 302 and response.url == "/mina-sidor/"
    session = client.session[SESSION_KEY]
    assert (session["number"], session["loa"], session["provider"]) == (ERIK, loa.LOA3, "saml")
    evidence = SignIn.objects.get(pk=session["sign_in"])
    assert evidence.method == "saml" and "EncryptedAssertion" in evidence.evidence["response"]
    assert client.session[SESSION_KEY]["name"] == "Erik Lindqvist"


def test_the_same_answer_twice_signs_nobody_in_the_second_time(client):
    fields = _answer(client, _to_idp(client))
    assert _post(client, fields).status_code == 302
    other = Client()
    assert _post(other, {**fields, "again": "1"}).status_code == 400
    assert SESSION_KEY not in other.session
    client.post(reverse("identity:sign-out"))
    assert _post(client, {**fields, "again": "1"}).status_code == 400
    assert SESSION_KEY not in client.session


def test_an_answer_below_the_level_asked_is_refused(client):
    url = _to_idp(client, loa=loa.LOA4)
    assert _request_xml(url).find(f".//{{{SAML}}}AuthnContextClassRef").text == loa.LOA4
    response = _post(client, _answer(client, url, level=loa.LOA3))
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_a_step_up_names_the_person(client):
    sign_in_resident(client, ERIK, loa=loa.LOA2)
    url = _to_idp(client, loa=loa.LOA3)
    selection = _request_xml(url).find(
        ".//{http://id.swedenconnect.se/authn/1.0/principal-selection/ns}MatchValue"
    )
    assert selection.get("Name") == sp.PERSONAL_IDENTITY_NUMBER and selection.text == ERIK


def test_the_metadata_is_signed_and_names_our_endpoints(client, settings):
    from signxml import XMLVerifier

    document = client.get(reverse("identity:saml-metadata"))
    assert document["Content-Type"] == "application/samlmetadata+xml"
    verified = XMLVerifier().verify(document.content, x509_cert=sp.key_pair().certificate_pem())
    root = verified.signed_xml
    assert root.get("entityID") == sp.entity_id()
    md = "urn:oasis:names:tc:SAML:2.0:metadata"
    acs = root.find(f".//{{{md}}}AssertionConsumerService")
    assert acs.get("Location") == sp.acs_url()
    descriptor = root.find(f".//{{{md}}}SPSSODescriptor")
    assert descriptor.get("AuthnRequestsSigned") == "true"
    uses = {key.get("use") for key in root.iter(f"{{{md}}}KeyDescriptor")}
    assert "encryption" in uses


def test_a_request_not_signed_is_refused_by_the_test_idp(client):
    url = _to_idp(client)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    query.pop("Signature")
    assert client.get("/test-idp/sso", query).status_code == 400
    query["Signature"] = base64.b64encode(b"x" * 384).decode()
    assert client.get("/test-idp/sso", query).status_code == 400


def test_a_cross_site_post_is_posted_again_from_our_own_page(client):
    fields = _answer(client, _to_idp(client, next="/mina-sidor/"))
    stranger = Client()  # the same browser, but its Lax cookie stayed home
    page = stranger.post(reverse("identity:saml-acs"), fields)
    assert page.status_code == 200 and b'name="again"' in page.content
    # posted again from our page, with the session cookie
    again = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.content.decode()))
    assert _post(client, again).url == "/mina-sidor/"


def test_signing_out_signs_out_at_the_identity_provider_too(client):
    _post(client, _answer(client, _to_idp(client)))
    out = client.post(reverse("identity:sign-out"))
    assert SESSION_KEY not in client.session
    assert out.url.startswith("http://testserver/test-idp/slo?SAMLRequest=")
    back = client.get(out.url.removeprefix("http://testserver"))
    assert back.status_code == 302 and back.url.startswith("http://testserver/saml/sls?")
    home = client.get(back.url.removeprefix("http://testserver"))
    assert home.url == reverse("web:home")


def test_a_forged_logout_request_is_refused_by_the_test_idp(client):
    query = {"SAMLRequest": base64.b64encode(b"<x/>").decode(), "SigAlg": "x", "Signature": "y"}
    assert client.get("/test-idp/slo", query).status_code == 400
