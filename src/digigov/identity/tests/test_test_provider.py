"""The built-in test e-ID provider as any relying party meets it: registered clients,
scopes, nonce, prompt, client and token errors, and replayed codes (issue 11)."""

import base64
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.core.management import CommandError, call_command
from joserfc import jwt
from joserfc.jwk import KeySet

from digigov.core.models import AuditEntry
from digigov.identity import loa
from digigov.identity.builtin_eid import NUMBER_SCOPE
from digigov.identity.oidc import PERSONAL_IDENTITY_NUMBER_CLAIM

pytestmark = pytest.mark.django_db

ANNA = "199003152387"
VERIFIER = "v" * 64
REDIRECT = "https://rp.example/callback"


@pytest.fixture
def registered():
    """An integrator's relying party, registered with the command."""
    out = io.StringIO()
    call_command(
        "test_eid",
        "add",
        "--name",
        "Our RP",
        "--redirect-uri",
        REDIRECT,
        "--client-id",
        "our-rp",
        stdout=out,
    )
    lines = dict(line.split(":", 1) for line in out.getvalue().splitlines())
    return lines["client_id"].strip(), lines["client_secret"].split()[0]


def authorize(client, client_id, scope="openid profile " + NUMBER_SCOPE, **extra):
    params = {
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": scope,
        "state": "st",
        "code_challenge": create_s256_code_challenge(VERIFIER),
        "code_challenge_method": "S256",
        **extra,
    }
    return client.post(
        "/test-eid/authorize", {**params, "personal_identity_number": ANNA, "loa": loa.LOA3}
    )


def code_of(response):
    assert response.status_code == 302, response.content.decode()[:300]
    answer = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    return answer


def basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def redeem(client, code, client_id, secret):
    return client.post(
        "/test-eid/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": VERIFIER,
        },
        HTTP_AUTHORIZATION=basic(client_id, secret),
    )


def id_token_claims(client, token):
    keys = KeySet.import_key_set(client.get("/test-eid/jwks").json())
    return jwt.decode(token, keys).claims


def test_a_registered_client_signs_in_with_its_own_redirect_and_audience(client, registered):
    client_id, secret = registered
    answer = code_of(authorize(client, client_id, nonce="n-1"))
    assert answer["state"] == "st"
    assert answer["iss"] == "http://testserver/test-eid"  # RFC 9207
    token = redeem(client, answer["code"], client_id, secret).json()
    claims = id_token_claims(client, token["id_token"])
    assert claims["aud"] == "our-rp" and claims["nonce"] == "n-1"
    assert claims[PERSONAL_IDENTITY_NUMBER_CLAIM] == ANNA
    assert AuditEntry.objects.filter(
        action="test_eid.client_registered", object_id="our-rp"
    ).exists()


def test_another_redirect_address_is_refused_for_a_registered_client(client, registered):
    response = authorize(client, registered[0], redirect_uri="https://rp.example/other")
    assert response.status_code == 400 and "Location" not in response


def test_a_replayed_code_revokes_the_access_token_of_the_first_use(client, registered):
    client_id, secret = registered
    code = code_of(authorize(client, client_id))["code"]
    first = redeem(client, code, client_id, secret).json()["access_token"]
    assert client.get("/test-eid/userinfo", HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 200
    replay = redeem(client, code, client_id, secret)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    after = client.get("/test-eid/userinfo", HTTP_AUTHORIZATION=f"Bearer {first}")
    assert after.status_code == 401


def test_no_nonce_sent_means_no_nonce_in_the_id_token(client, registered):
    client_id, secret = registered
    code = code_of(authorize(client, client_id))["code"]
    claims = id_token_claims(client, redeem(client, code, client_id, secret).json()["id_token"])
    assert "nonce" not in claims


def test_prompt_none_answers_login_required(client, registered):
    response = client.get(
        "/test-eid/authorize",
        {
            "client_id": registered[0],
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "openid",
            "state": "st",
            "code_challenge": create_s256_code_challenge(VERIFIER),
            "code_challenge_method": "S256",
            "prompt": "none",
        },
    )
    answer = code_of(response)
    assert answer["error"] == "login_required" and answer["state"] == "st"


def test_a_wrong_client_secret_is_401_with_www_authenticate(client, registered):
    response = redeem(client, "x", registered[0], "wrong")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic")


def test_the_bearer_scheme_is_read_in_any_case(client, registered):
    client_id, secret = registered
    code = code_of(authorize(client, client_id))["code"]
    token = redeem(client, code, client_id, secret).json()["access_token"]
    for scheme in ("bearer", "BEARER", "Bearer"):
        response = client.get("/test-eid/userinfo", HTTP_AUTHORIZATION=f"{scheme} {token}")
        assert response.status_code == 200, scheme


def test_the_personal_number_is_released_only_with_its_scope(client, registered):
    client_id, secret = registered
    code = code_of(authorize(client, client_id, scope="openid profile"))["code"]
    token = redeem(client, code, client_id, secret).json()
    claims = id_token_claims(client, token["id_token"])
    info = client.get(
        "/test-eid/userinfo", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}"
    ).json()
    assert PERSONAL_IDENTITY_NUMBER_CLAIM not in claims
    assert PERSONAL_IDENTITY_NUMBER_CLAIM not in info
    assert info["name"] == "Anna Andersson"
    assert token["scope"] == "openid profile"


def test_a_client_is_listed_and_removed_by_the_command(registered):
    listing = io.StringIO()
    call_command("test_eid", "list", stdout=listing)
    assert "our-rp  Our RP  https://rp.example/callback" in listing.getvalue()
    call_command("test_eid", "remove", "our-rp", stdout=io.StringIO())
    assert AuditEntry.objects.filter(action="test_eid.client_removed").exists()
    with pytest.raises(CommandError, match="no test client"):
        call_command("test_eid", "remove", "our-rp")


@pytest.mark.parametrize("uri", ["not-a-uri", "ftp://rp.example/cb", "https://rp.example/cb#x"])
def test_a_bad_redirect_uri_is_refused_by_the_command(uri):
    with pytest.raises(CommandError, match="is not a redirect URI"):
        call_command("test_eid", "add", "--name", "x", "--redirect-uri", uri)


def test_an_overlong_scope_is_refused_not_stored(client, registered):
    answer = code_of(authorize(client, registered[0], scope="openid " + "x" * 1000))
    assert answer["error"] == "invalid_request"


def test_the_issuer_is_the_public_address_whatever_host_a_request_names(
    client, settings, back_channel
):
    """The sign-in's back channel calls the issuer: a Host header must not choose where."""
    settings.ALLOWED_HOSTS = ["testserver", "elsewhere.example"]
    discovery = client.get(
        "/test-eid/.well-known/openid-configuration", HTTP_HOST="elsewhere.example"
    ).json()
    assert discovery["issuer"] == "http://testserver/test-eid"
    assert discovery["token_endpoint"].startswith("http://testserver/")
    started = client.get("/eid/start/test/", HTTP_HOST="elsewhere.example")
    assert started["Location"].startswith("http://testserver/test-eid/authorize")
    # and it comes back to where the person is, an address the installation answers to
    assert (
        "redirect_uri=http%3A%2F%2Felsewhere.example%2Feid%2Fcallback%2Ftest" in started["Location"]
    )
