"""The API for organisations' own systems: keys, scopes, scoping, moving cases, the diary."""

import pytest
from django.core.management import CommandError, call_command

from digigov.cases.models import Case, Decision, Document
from digigov.core.actors import Actor
from digigov.core.models import AccessRecord
from digigov.identity import actions as identity_actions
from digigov.identity.models import ApiCredential

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def key_for(
    organisation,
    scopes=("cases:read", "cases:write"),
    role="handlaggare",
    services=(),
    secret_cases=False,
):
    _credential, key = identity_actions.create_api_credential(
        actor=SYSTEM,
        organisation=organisation,
        name="Ärendesystem",
        scopes=list(scopes),
        role=role,
        services=list(services),
        secret_cases=secret_cases,
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def move(client, auth, case, transition, **body):
    current = Case.objects.get(pk=case.pk)
    return client.post(
        f"/api/cases/{case.public_id}/transitions",
        {"transition": transition, "revision": current.revision, **body},
        content_type="application/json",
        **auth,
    )


def test_a_system_lists_and_reads_its_organisations_cases(client, organisation, bygglov_case):
    auth = key_for(organisation, scopes=["cases:read"])
    listing = client.get("/api/cases", **auth)
    assert listing.status_code == 200
    [item] = listing.json()["items"]
    assert item["registrar_number"] == bygglov_case.registrar_number
    assert item["service"] == "BYGGLOV" and listing.json()["next_page"] is None
    by_number = client.get(
        "/api/cases", {"registrar_number": bygglov_case.registrar_number}, **auth
    )
    assert len(by_number.json()["items"]) == 1
    detail = client.get(f"/api/cases/{bygglov_case.public_id}", **auth).json()
    assert detail["clock"]["law"] == "PBL 9 kap. 27 §"
    assert detail["documents"][0]["number"] == f"{bygglov_case.registrar_number}-1"
    assert detail["events"][0]["type"] == "EXEMPELBY.BYGGLOV.INKOMMEN"
    assert "paborja" in detail["transitions"]
    record = AccessRecord.objects.get(object_id=bygglov_case.registrar_number)
    assert record.actor.startswith("system:api:") and record.purpose == "Verksamhetssystem"


def test_another_organisations_key_sees_nothing(client, other_organisation, bygglov_case):
    auth = key_for(other_organisation)
    assert client.get("/api/cases", **auth).json()["items"] == []
    response = client.get(f"/api/cases/{bygglov_case.public_id}", **auth)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert move(client, auth, bygglov_case, "paborja").status_code == 404


def test_keys_are_checked(client, organisation, bygglov_case):
    assert client.get("/api/cases").status_code == 401
    assert client.get("/api/cases", HTTP_AUTHORIZATION="Bearer dg_0000_nope").status_code == 401
    credential, key = identity_actions.create_api_credential(
        actor=SYSTEM,
        organisation=organisation,
        name="Gammal",
        scopes=["cases:read"],
        role="handlaggare",
    )
    assert client.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert client.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {key[:-2]}xx").status_code == 401
    identity_actions.revoke_api_credential(actor=SYSTEM, credential=credential)
    assert client.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    # the whole secret (it may itself hold "_"), never its tail
    secret = key.split("_", 2)[2]
    assert not ApiCredential.objects.filter(secret_hash__contains=secret).exists()


def test_a_read_only_key_cannot_change_anything(client, organisation, bygglov_case):
    auth = key_for(organisation, scopes=["cases:read"])
    response = move(client, auth, bygglov_case, "paborja")
    assert response.status_code == 403
    assert "cases:write" in response.json()["detail"]
    assert Case.objects.get(pk=bygglov_case.pk).state == "inkommen"


def test_a_system_moves_a_case_through_its_process(client, organisation, bygglov_case):
    auth = key_for(organisation)
    started = move(client, auth, bygglov_case, "paborja")
    assert started.status_code == 200 and started.json()["state"] == "under_handlaggning"
    not_allowed = move(client, auth, bygglov_case, "avsluta")
    assert not_allowed.status_code == 409
    assert not_allowed.json()["type"].endswith("transition-not-allowed")
    assert not_allowed.json()["detail"] == (
        "The step “Close” cannot be taken while the case is “Being handled”. / "
        "Steget ”Avsluta” går inte att ta när ärendet är ”Under handläggning”."
    )
    no_reasons = move(client, auth, bygglov_case, "besluta", outcome="bifall")
    assert no_reasons.status_code == 422
    assert no_reasons.json()["errors"] == [
        {
            "pointer": "/reasons",
            "detail": "Write the reasons for the decision. / Skriv skälen för beslutet.",
        }
    ]
    stale = client.post(
        f"/api/cases/{bygglov_case.public_id}/transitions",
        {"transition": "besluta", "revision": 1, "outcome": "bifall", "reasons": "Ok."},
        content_type="application/json",
        **auth,
    )
    assert stale.status_code == 409 and stale.json()["type"].endswith("stale")
    decided = move(
        client, auth, bygglov_case, "besluta", outcome="bifall", reasons="Följer planen."
    )
    assert decided.status_code == 200 and decided.json()["finished"]
    assert Decision.objects.get().decided_by.startswith("system:api:")


def test_a_system_registers_a_document(client, organisation, bygglov_case):
    auth = key_for(organisation)
    url = f"/api/cases/{bygglov_case.public_id}/documents"
    added = client.post(
        url,
        {"direction": "in", "title": "Yttrande från grannen", "counterpart": "Granne G"},
        content_type="application/json",
        **auth,
    )
    assert added.status_code == 201
    assert added.json()["number"] == f"{bygglov_case.registrar_number}-5"
    empty = client.post(
        url, {"direction": "in", "title": "  "}, content_type="application/json", **auth
    )
    assert empty.status_code == 422
    wrong = client.post(
        url, {"direction": "sideways", "title": "x"}, content_type="application/json", **auth
    )
    assert wrong.status_code == 422
    assert Document.objects.filter(case=bygglov_case).count() == 5


def test_the_diary_api_masks_secret_entries(client, organisation, bygglov_case):
    Document.objects.filter(case=bygglov_case, sequence=2).update(secrecy_ground="OSL 21 kap. 1 §")
    body = client.get(f"/api/organisations/{organisation.slug}/diary").json()
    by_number = {item["number"]: item for item in body["items"]}
    masked = by_number[f"{bygglov_case.registrar_number}-2"]
    assert masked["secret"] and masked["title"] is None and masked["counterpart"] is None
    assert by_number[f"{bygglov_case.registrar_number}-1"]["counterpart"] == "Anna Andersson"
    assert client.get("/api/organisations/okand/diary").status_code == 404
    assert (
        client.get(f"/api/organisations/{organisation.slug}/diary", {"page": "x"}).status_code
        == 422
    )


def test_the_command_makes_lists_and_revokes_keys(organisation, capsys):
    call_command(
        "api_credential",
        "create",
        "--organisation",
        organisation.slug,
        "--name",
        "Diariet",
        "--scope",
        "cases:read",
        "--service",
        "bygglov",
        "--secret-cases",
    )
    out = capsys.readouterr().out
    key = out.strip().splitlines()[-1]
    assert key.startswith("dg_")
    credential = ApiCredential.objects.get()
    assert (credential.services, credential.secret_cases) == (["BYGGLOV"], True)
    call_command("api_credential", "list", "--organisation", organisation.slug)
    listed = capsys.readouterr().out
    assert credential.key_id in listed and "BYGGLOV" in listed and "secret" in listed
    call_command("api_credential", "revoke", "--organisation", organisation.slug, credential.key_id)
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    with pytest.raises(CommandError):
        call_command(
            "api_credential",
            "create",
            "--organisation",
            "okand",
            "--name",
            "x",
            "--scope",
            "cases:read",
        )
    with pytest.raises(CommandError):
        call_command("api_credential", "create", "--organisation", organisation.slug, "--name", "x")


def test_nul_characters_are_refused_not_stored(client, organisation, bygglov_case):
    # PostgreSQL cannot store NUL: the API refuses it with 422 instead of failing.
    auth = key_for(organisation)
    assert client.get("/api/cases", {"service": "BYGG\x00LOV"}, **auth).status_code == 422
    added = client.post(
        f"/api/cases/{bygglov_case.public_id}/documents",
        {"direction": "in", "title": "Brev\x00"},
        content_type="application/json",
        **auth,
    )
    assert added.status_code == 422
    diary = client.get(
        f"/api/organisations/{organisation.slug}/diary", {"registrar_number": "BN\x00"}
    )
    assert diary.status_code == 200
    assert client.get("/api/organisations/exempel\x00by/diary").status_code == 404
    assert (
        client.get(
            f"/organisationer/{organisation.slug}/diarium/", {"diarienummer": "BN\x00"}
        ).status_code
        == 200
    )


def test_a_key_reads_only_the_cases_it_is_narrowed_to(client, services, organisation, bygglov_case):
    """As staff of its role would: an administrator's key reads no cases; a key reads the
    cases of its services only, and secret cases only with an explicit grant."""
    from digigov.conftest import secret_case

    secret = secret_case(services, organisation)

    def seen(auth):
        listed = {c["registrar_number"] for c in client.get("/api/cases", **auth).json()["items"]}
        for case in (bygglov_case, secret):
            one = client.get(f"/api/cases/{case.public_id}", **auth).status_code
            by_number = client.get(
                "/api/cases", {"registrar_number": case.registrar_number}, **auth
            ).json()["items"]
            assert (one == 200) == (case.registrar_number in listed) == bool(by_number)
        return listed

    bygglov, bistand = bygglov_case.registrar_number, secret.registrar_number
    assert seen(key_for(organisation, role="administrator")) == set()
    assert seen(key_for(organisation)) == {bygglov}
    assert seen(key_for(organisation, secret_cases=True)) == {bygglov, bistand}
    assert seen(key_for(organisation, services=["SERVERINGSTILLSTAND"])) == set()
    assert seen(key_for(organisation, services=["EKONOMISKT_BISTAND"], secret_cases=True)) == {
        bistand
    }
    narrow = key_for(organisation, services=["EKONOMISKT_BISTAND"])
    answer = client.post(
        f"/api/cases/{bygglov_case.public_id}/documents",
        {"direction": "in", "title": "Brev"},
        content_type="application/json",
        **narrow,
    )
    assert answer.status_code == 404


def test_a_key_narrowed_to_what_is_not_a_service_code_is_refused(organisation):
    with pytest.raises(CommandError, match="service codes"):
        call_command(
            "api_credential", "create", "--organisation", organisation.slug, "--name", "x",
            "--scope", "cases:read", "--service", "bygg lov!",
        )  # fmt: skip
    assert not ApiCredential.objects.exists()
