"""Digigov's relying party against an independent OpenID Connect provider (panva's
certified oidc-provider, from npm), in each configuration real providers use (issue 11):
sign-in succeeds, or fails with a clear message, never a 500."""

from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey

from digigov.conftest import free_port
from digigov.identity import loa, oidc
from digigov.identity.models import Resident
from digigov.identity.tests import interop

pytestmark = pytest.mark.django_db

ANNA = "199003152387"
SECRET = "a+b/c=d%e f"  # RFC 6749 2.3.1: every one of these must survive client_secret_basic
SWEDEN_CONNECT = "http://id.swedenconnect.se/loa/1.0/"


@pytest.fixture(autouse=True)
def _fresh_caches():
    oidc._discovery_cache.clear()
    oidc._jwks_cache.clear()
    yield
    oidc._discovery_cache.clear()
    oidc._jwks_cache.clear()


def configuration(port: int, name: str = "idp", **changes):
    client = {
        "client_id": "digigov-rp",
        "client_secret": SECRET,
        "redirect_uris": [f"http://testserver/eid/callback/{name}"],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        **changes.pop("client", {}),
    }
    return {
        "port": port,
        "issuer": f"http://127.0.0.1:{port}",
        "acr": loa.LOA3,
        "userinfo": True,
        "signedUserinfo": False,
        "authMethods": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "person": {
            "id": "anna",
            "number": ANNA,
            "name": "Anna Andersson",
            "given_name": "Anna",
            "family_name": "Andersson",
            "birthdate": "1990-03-15",
        },
        "client": client,
        **changes,
    }


def use(settings, monkeypatch, conf, name="idp", secret=True, key_file=""):
    settings.EID_PROVIDERS = [name]
    variable = name.upper().replace("-", "_")
    monkeypatch.setenv(f"DIGIGOV_OIDC_{variable}_ISSUER", conf["issuer"])
    monkeypatch.setenv(f"DIGIGOV_OIDC_{variable}_CLIENT_ID", conf["client"]["client_id"])
    if secret:
        monkeypatch.setenv(f"DIGIGOV_OIDC_{variable}_CLIENT_SECRET", SECRET)
    if key_file:
        monkeypatch.setenv(f"DIGIGOV_OIDC_{variable}_PRIVATE_KEY_FILE", key_file)


def sign_in(client, name="idp", tamper=None):
    """Start at Digigov, be the person at the provider (a plain HTTP user agent that keeps
    its cookies), and come back to Digigov's callback."""
    response = client.get(f"/eid/start/{name}/")
    assert response.status_code == 302, response.content.decode()[:500]
    location = response["Location"]
    with httpx.Client(timeout=10) as agent:
        while not location.startswith("http://testserver/"):
            answer = agent.get(location)
            assert answer.status_code in {302, 303}, answer.text[:500]
            location = urljoin(location, answer.headers["location"])
    parts = urlsplit(location)
    query = dict(parse_qsl(parts.query))
    if tamper:
        query.update(tamper)
    return client.get(parts.path, query)


def signed_in(response, client, acr=loa.LOA3):
    assert response.status_code == 302, response.content.decode()[:800]
    assert response["Location"] == "/mina-sidor/"
    me = client.get("/api/me").json()
    assert me["personalIdentityNumber"] == ANNA and me["loa"] == acr
    assert Resident.objects.get().given_name == "Anna"


def ec_key_file(tmp_path):
    private = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "client.pem"
    path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = ECKey.import_key(path.read_bytes()).as_dict(private=False)
    return str(path), {"keys": [{**public, "use": "sig", "alg": "ES256"}]}


SCENARIOS = {
    "client_secret_basic with + / = % and space in the secret": {},
    "the provider offers only client_secret_post": {
        "authMethods": ["client_secret_post"],
        "client": {"token_endpoint_auth_method": "client_secret_post"},
    },
    "no userinfo endpoint: the claims are in the ID token": {"userinfo": False},
    "signed userinfo (application/jwt)": {
        "signedUserinfo": True,
        "client": {"userinfo_signed_response_alg": "RS256"},
    },
    "an issuer ending in /": {"issuer": "TRAILING_SLASH"},
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_sign_in_through_an_independent_provider(client, settings, monkeypatch, scenario):
    port = free_port()
    changes = dict(SCENARIOS[scenario])
    if changes.get("issuer") == "TRAILING_SLASH":
        changes["issuer"] = f"http://127.0.0.1:{port}/"
    conf = configuration(port, **changes)
    use(settings, monkeypatch, conf)
    with interop.provider(conf) as running:
        response = sign_in(client)
    signed_in(response, client)
    assert running.requests("/token") == 1


def test_private_key_jwt_from_discovery(client, settings, monkeypatch, tmp_path):
    key_file, jwks = ec_key_file(tmp_path)
    port = free_port()
    conf = configuration(
        port,
        authMethods=["private_key_jwt"],
        client={
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "ES256",
            "jwks": jwks,
            "client_secret": None,
        },
    )
    conf["client"].pop("client_secret")
    use(settings, monkeypatch, conf, secret=False, key_file=key_file)
    with interop.provider(conf):
        signed_in(sign_in(client), client)


@pytest.mark.parametrize(
    "acr",
    [
        "http://id.elegnamnden.se/loa/1.0/eidas-sub",
        "http://id.elegnamnden.se/loa/1.0/eidas-nf-high",
        f"{SWEDEN_CONNECT}uncertified-loa3",
        "http://eidas.europa.eu/LoA/substantial",
    ],
)
def test_sweden_connects_levels_are_understood(client, settings, monkeypatch, acr):
    conf = configuration(free_port(), acr=acr)
    use(settings, monkeypatch, conf)
    with interop.provider(conf):
        signed_in(sign_in(client), client, acr=acr)


def test_a_non_resident_without_a_number_gets_a_clear_message(client, settings, monkeypatch):
    conf = configuration(free_port(), acr=f"{SWEDEN_CONNECT}loa3-nonresident")
    conf["person"]["number"] = None
    use(settings, monkeypatch, conf)
    with interop.provider(conf):
        response = sign_in(client)
    assert response.status_code == 400
    assert "E-legitimationen gav inget giltigt personnummer." in response.content.decode()


def test_a_provider_name_with_a_hyphen_is_configured_with_underscores(
    client, settings, monkeypatch
):
    conf = configuration(free_port(), name="sweden-connect")
    use(settings, monkeypatch, conf, name="sweden-connect")
    with interop.provider(conf):
        signed_in(sign_in(client, name="sweden-connect"), client)


def test_keys_and_discovery_are_fetched_once_for_many_sign_ins(client, settings, monkeypatch):
    conf = configuration(free_port())
    use(settings, monkeypatch, conf)
    with interop.provider(conf) as running:
        for _ in range(3):
            client.logout()
            assert sign_in(client).status_code == 302
    assert running.requests("/token") == 3
    assert running.requests("/jwks") == 1
    assert running.requests("/.well-known/openid-configuration") == 1


def test_an_answer_naming_another_issuer_is_refused(client, settings, monkeypatch):
    """RFC 9207: a mix-up attack sends one provider's code to another's callback."""
    conf = configuration(free_port())
    use(settings, monkeypatch, conf)
    with interop.provider(conf) as running:
        response = sign_in(client, tamper={"iss": "https://evil.example"})
    assert response.status_code == 400
    assert "Vi kunde inte bekräfta din inloggning" in response.content.decode()
    assert running.requests("/token") == 0
    assert not Resident.objects.exists()


def test_a_provider_that_is_down_is_a_clear_503(client, settings, monkeypatch):
    conf = configuration(free_port())
    use(settings, monkeypatch, conf)
    response = client.get("/eid/start/idp/")
    assert response.status_code == 503
    assert "svarar inte just nu" in response.content.decode()
