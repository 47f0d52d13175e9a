"""The resident's sign-in through the OIDC relying party and the test e-ID provider."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from digigov.core.models import AuditEntry
from digigov.identity import loa, session
from digigov.identity.models import AuthorizationCode, Resident

pytestmark = pytest.mark.django_db

ANNA = "199003152387"


def begin(client: Client, next_url: str = "") -> dict[str, str]:
    """Start a sign-in; return the authorization request's parameters."""
    url = reverse("identity:start", args=["test"]) + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/test-eid/authorize"
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def authorize(client: Client, params: dict[str, str], **person: str) -> dict[str, str]:
    """Be the person at the provider; return the parameters sent back to the callback."""
    form = {**params, "personal_identity_number": ANNA, "loa": loa.LOA3, **person}
    response = client.post("/test-eid/authorize", form)
    assert response.status_code == 302, response.content.decode()[:500]
    location = urlsplit(response["Location"])
    assert location.path == "/eid/callback/test"
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def test_a_resident_signs_in_and_sees_their_name(client, back_channel):
    params = begin(client)
    assert params["code_challenge_method"] == "S256"
    assert params["nonce"] and params["state"] and params["code_challenge"]
    # the provider shows its own page: pick or type a person
    page = client.get("/test-eid/authorize", params)
    assert page.status_code == 200
    assert "Anna Andersson" in page.content.decode()

    answer = authorize(client, params)
    response = client.get("/eid/callback/test", answer)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:my-pages")
    assert back_channel.calls == [
        "GET /test-eid/.well-known/openid-configuration",
        "POST /test-eid/token",
        "GET /test-eid/jwks",
        "GET /test-eid/userinfo",
    ]

    my_pages = client.get(reverse("web:my-pages")).content.decode()
    assert "Anna Andersson" in my_pages
    assert "19900315-2387" in my_pages
    resident = Resident.objects.get(personal_identity_number=ANNA)
    assert (resident.given_name, resident.surname) == ("Anna", "Andersson")
    assert (
        AuditEntry.objects.filter(action="resident.signed_in", actor=f"person:{ANNA}").count() == 1
    )


def test_a_typed_personnummer_in_ten_digits_gives_the_normalised_number(client, back_channel):
    params = begin(client)
    answer = authorize(
        client, params, personal_identity_number="851122-4571", given_name="Erik", surname="L"
    )
    client.get("/eid/callback/test", answer)
    assert Resident.objects.get().personal_identity_number == "198511224571"


def test_the_next_address_is_kept_but_only_on_this_site(client, back_channel):
    params = begin(client, next_url="/tillganglighet/")
    response = client.get("/eid/callback/test", authorize(client, params))
    assert response["Location"] == "/tillganglighet/"

    client2 = Client()
    params = begin(client2, next_url="https://evil.example/")
    response = client2.get("/eid/callback/test", authorize(client2, params))
    assert response["Location"] == reverse("web:my-pages")


def test_a_malformed_personnummer_at_the_provider_gets_a_clear_error(client, back_channel):
    params = begin(client)
    response = client.post(
        "/test-eid/authorize",
        {**params, "personal_identity_number": "19900315-2388", "loa": loa.LOA3},
    )
    assert response.status_code == 400
    assert "Kontrollsiffran stämmer inte" in response.content.decode()
    assert AuthorizationCode.objects.count() == 0


def test_a_tampered_state_is_refused(client, back_channel):
    params = begin(client)
    answer = authorize(client, params)
    answer["state"] = "forged-state"
    response = client.get("/eid/callback/test", answer)
    assert response.status_code == 400
    assert "har gått ut eller har redan använts" in response.content.decode()
    assert Resident.objects.count() == 0


def test_a_replayed_callback_is_refused(client, back_channel):
    answer = authorize(client, begin(client))
    assert client.get("/eid/callback/test", answer).status_code == 302
    replay = client.get("/eid/callback/test", answer)
    assert replay.status_code == 400
    assert AuditEntry.objects.filter(action="resident.signed_in").count() == 1


def test_a_replayed_code_is_refused_by_the_provider(client, back_channel):
    """Someone who captured the code starts their own sign-in and plays the code into it."""
    victim = authorize(client, begin(client))
    assert client.get("/eid/callback/test", victim).status_code == 302
    attacker = Client()
    attacker_state = begin(attacker)["state"]
    response = attacker.get("/eid/callback/test", {"code": victim["code"], "state": attacker_state})
    assert response.status_code == 400
    assert "Vi kunde inte bekräfta din inloggning" in response.content.decode()


def test_a_code_used_with_another_sign_ins_verifier_is_refused(client, back_channel):
    """PKCE: a code stolen before use is worthless without its verifier."""
    victim = Client()
    stolen = authorize(victim, begin(victim))
    attacker_state = begin(client)["state"]
    response = client.get("/eid/callback/test", {"code": stolen["code"], "state": attacker_state})
    assert response.status_code == 400
    assert Resident.objects.count() == 0


def test_a_wrong_nonce_in_the_id_token_is_refused(client, back_channel):
    params = begin(client)
    answer = authorize(client, {**params, "nonce": "another-nonce"})
    response = client.get("/eid/callback/test", answer)
    assert response.status_code == 400
    assert Resident.objects.count() == 0


def test_the_provider_refuses_an_unknown_redirect_address(client):
    params = {
        "client_id": "digigov",
        "redirect_uri": "https://evil.example/callback",
        "response_type": "code",
        "scope": "openid",
        "state": "s",
        "code_challenge": "x" * 43,
        "code_challenge_method": "S256",
    }
    response = client.get("/test-eid/authorize", params)
    assert response.status_code == 400
    assert "Location" not in response


def test_the_provider_requires_pkce(client, back_channel):
    params = begin(client)
    del params["code_challenge"]
    response = client.get("/test-eid/authorize", params)
    assert response.status_code == 302
    assert "error=invalid_request" in response["Location"]


def test_the_person_can_cancel_at_the_provider(client, back_channel):
    params = begin(client)
    response = client.post("/test-eid/authorize", {**params, "cancel": "1"})
    answer = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    assert answer["error"] == "access_denied"
    result = client.get("/eid/callback/test", answer)
    assert result.status_code == 400
    assert "Inloggningen avbröts" in result.content.decode()


def test_the_token_endpoint_refuses_bad_client_credentials(client):
    response = client.post(
        "/test-eid/token",
        {"grant_type": "authorization_code", "code": "x"},
        HTTP_AUTHORIZATION="Basic ZGlnaWdvdjp3cm9uZw==",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_userinfo_refuses_an_unknown_token(client):
    response = client.get("/test-eid/userinfo", HTTP_AUTHORIZATION="Bearer nothing")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_discovery_describes_the_provider(client):
    document = client.get("/test-eid/.well-known/openid-configuration").json()
    assert document["issuer"] == "http://testserver/test-eid"
    assert document["code_challenge_methods_supported"] == ["S256"]
    keys = client.get("/test-eid/jwks").json()["keys"]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]


def test_an_idle_session_expires_with_a_clear_message(client, back_channel, monkeypatch):
    client.get("/eid/callback/test", authorize(client, begin(client)))
    assert client.get(reverse("web:my-pages")).status_code == 200

    from digigov.core import clock

    later = clock.now() + session.IDLE_LIMIT + dt.timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = client.get(reverse("web:my-pages"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("identity:sign-in"))
    assert "Din inloggning har gått ut" in response.content.decode()


def test_signing_out_ends_the_session(client, back_channel):
    client.get("/eid/callback/test", authorize(client, begin(client)))
    response = client.post(reverse("identity:sign-out"))
    assert response.status_code == 302
    assert client.get(reverse("web:my-pages")).status_code == 302
    assert AuditEntry.objects.filter(action="resident.signed_out").count() == 1


@pytest.mark.parametrize("provider", ["freja", "../etc"])
def test_an_unknown_provider_gets_a_clear_error(client, provider):
    response = client.get(f"/eid/start/{provider}/")
    assert response.status_code in {400, 404}
    if response.status_code == 400:
        assert "Det inloggningssättet finns inte här" in response.content.decode()


def test_the_api_answers_who_is_signed_in_until_the_session_runs_out(
    client, back_channel, monkeypatch
):
    client.get("/eid/callback/test", authorize(client, begin(client)))
    me = client.get("/api/me")
    assert me.status_code == 200
    assert me.json() == {
        "personalIdentityNumber": ANNA,
        "givenName": "Anna",
        "sn": "Andersson",
        "displayName": "Anna Andersson",
        "loa": loa.LOA3,
    }

    from digigov.core import clock

    later = clock.now() + session.IDLE_LIMIT + dt.timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    expired = client.get("/api/me")
    assert expired.status_code == 401
    assert expired["Content-Type"] == "application/problem+json"


def test_another_persons_session_shows_only_that_person(client, back_channel):
    client.get("/eid/callback/test", authorize(client, begin(client)))
    other = Client()
    other.get(
        "/eid/callback/test",
        authorize(other, begin(other), personal_identity_number="198511224571"),
    )
    assert client.get("/api/me").json()["personalIdentityNumber"] == ANNA
    assert other.get("/api/me").json()["personalIdentityNumber"] == "198511224571"
    assert "Anna" not in other.get(reverse("web:my-pages")).content.decode()
