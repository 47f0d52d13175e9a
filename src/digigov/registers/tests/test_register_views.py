"""The register node's services, called as the gateway calls them (with its token)."""

from urllib.parse import quote

import pytest

from digigov.core.actors import Actor
from digigov.exchange import actions
from digigov.exchange.identifiers import ClientId
from digigov.registers.actions import record_register_access
from digigov.registers.models import RegisterAccess

pytestmark = pytest.mark.django_db
ANNA = "199003152387"


@pytest.fixture
def gateway(registers_loaded):
    local = actions.save_local_service(
        actor=Actor.system("tests"),
        provider=ClientId.parse("SE-TEST/GOV/2021009978/register"),
        code="dataspar",
        base_url="http://127.0.0.1:8000/register/api/dataspar",
    )
    return {
        "HTTP_X_DIGIGOV_GATEWAY_TOKEN": local.token,
        "HTTP_X_ROAD_CLIENT": "SE-TEST/MUN/2120009994/arenden",
        "HTTP_X_ROAD_ISSUE": quote("Förifyllnad av e-tjänst BYGGLOV"),
    }


def test_a_property_with_its_municipality_owners_and_area(client, gateway):
    designation = quote("Exempelby Björken 1:23", safe="")
    answer = client.get(f"/register/api/fastighet/fastigheter/{designation}", **gateway).json()
    assert answer == {
        "beteckning": "Exempelby Björken 1:23",
        "kommunkod": "9991",
        "arealKvadratmeter": 1250,
        "agare": [{"identitet": ANNA, "andel": "1/1"}],
    }
    assert (
        client.get("/register/api/fastighet/fastigheter/Ingenstans%201:1", **gateway).status_code
        == 404
    )


def test_a_company_answer_is_recorded_for_each_signatory(client, gateway):
    answer = client.get("/register/api/foretag/foretag/5599112231", **gateway)
    assert answer.status_code == 200
    signatories = {s["personnummer"] for s in answer.json()["firmateckning"]["firmatecknare"]}
    assert signatories == {ANNA, "192507043327"}
    recorded = RegisterAccess.objects.filter(register="company")
    assert {r.subject for r in recorded} == signatories
    assert {r.purpose for r in recorded} == {"Förifyllnad av e-tjänst BYGGLOV"}


def test_a_person_gets_their_own_accesses_and_nobody_elses(client, gateway):
    record_register_access(
        subjects=[ANNA],
        register="property",
        client="SE-TEST/MUN/2120009994/arenden",
        client_name="Exempelby kommun",
        user_id=f"SE{ANNA}",
        purpose="Förifyllnad",
        message_id="m",
    )
    own = client.get(
        f"/register/api/dataspar/atkomster/{ANNA}", HTTP_X_ROAD_USERID=f"SE{ANNA}", **gateway
    )
    assert own.status_code == 200
    [access] = own.json()["atkomster"]
    assert (access["organisation"], access["syfte"]) == ("Exempelby kommun", "Förifyllnad")
    other = client.get(
        f"/register/api/dataspar/atkomster/{ANNA}", HTTP_X_ROAD_USERID="SE198511224571", **gateway
    )
    assert other.status_code == 403
    assert (
        client.get(
            "/register/api/dataspar/atkomster/123", HTTP_X_ROAD_USERID="SE123", **gateway
        ).status_code
        == 400
    )


def test_bad_input_to_the_register_services_is_a_clear_400(client, gateway):
    assert (
        client.get("/register/api/folkbokforing/personer/19900315-2388", **gateway).status_code
        == 400
    )
    assert client.get("/register/api/fastighet/fastigheter?agare=abc", **gateway).status_code == 400
    assert client.get("/register/api/foretag/foretag/123", **gateway).status_code == 400
    assert client.get("/register/api/foretag/foretag?firmatecknare=x", **gateway).status_code == 400
    assert client.get("/register/api/folkbokforing/personer/199003152387").status_code == 403
