"""The register node's services, called as the gateway calls them (with its token)."""

from urllib.parse import quote

import pytest

from digigov.core.actors import Actor
from digigov.exchange import actions
from digigov.exchange.identifiers import ClientId
from digigov.registers.actions import record_register_access
from digigov.registers.client import Address, registers
from digigov.registers.models import RegisterAccess

pytestmark = pytest.mark.django_db
ANNA = "199003152387"


SERVICES = ("folkbokforing", "fastighet", "foretag", "dataspar")


@pytest.fixture
def tokens(registers_loaded):
    """Each register service's own token, as the gateway sends it when it calls that service."""
    return {
        code: actions.save_local_service(
            actor=Actor.system("tests"),
            provider=ClientId.parse("SE-TEST/GOV/2021009978/register"),
            code=code,
            base_url=f"http://127.0.0.1:8000/register/api/{code}",
        ).token
        for code in SERVICES
    }


class Gateway:
    """Calls a register service as the gateway does: with that service's token."""

    def __init__(self, client, tokens):
        self.client = client
        self.tokens = tokens

    def get(self, path: str, **headers):
        code = path.split("/")[3]
        return self.client.get(
            path,
            HTTP_X_DIGIGOV_GATEWAY_TOKEN=self.tokens[code],
            HTTP_X_ROAD_CLIENT="SE-TEST/MUN/2120009994/arenden",
            HTTP_X_ROAD_ISSUE=quote("Förifyllnad av e-tjänst BYGGLOV"),
            **headers,
        )


@pytest.fixture
def gateway(client, tokens):
    return Gateway(client, tokens)


def test_each_register_service_answers_only_its_own_token(client, tokens):
    """Another local service's token (the data tracker's, or any other service behind the same
    gateway) is refused like no token: a process holding one token cannot read the registers."""
    for code, path in [
        ("folkbokforing", f"/register/api/folkbokforing/personer/{ANNA}"),
        ("fastighet", f"/register/api/fastighet/fastigheter?agare={ANNA}"),
        ("foretag", "/register/api/foretag/foretag/5599112231"),
    ]:
        for other in SERVICES:
            answer = client.get(path, HTTP_X_DIGIGOV_GATEWAY_TOKEN=tokens[other])
            assert answer.status_code == (200 if other == code else 403), (path, other)
    assert RegisterAccess.objects.filter(subject=ANNA).count() == 3


def test_a_property_with_its_municipality_owners_and_area(gateway):
    designation = quote("Exempelby Björken 1:23", safe="")
    answer = gateway.get(f"/register/api/fastighet/fastigheter/{designation}").json()
    assert answer == {
        "beteckning": "Exempelby Björken 1:23",
        "kommunkod": "9991",
        "arealKvadratmeter": 1250,
        "agare": [{"identitet": ANNA, "andel": "1/1"}],
    }
    assert gateway.get("/register/api/fastighet/fastigheter/Ingenstans%201:1").status_code == 404


def test_a_company_answer_is_recorded_for_each_signatory(gateway):
    answer = gateway.get("/register/api/foretag/foretag/5599112231")
    assert answer.status_code == 200
    signatories = {s["personnummer"] for s in answer.json()["firmateckning"]["firmatecknare"]}
    assert signatories == {ANNA, "192507043327"}
    recorded = RegisterAccess.objects.filter(register="company")
    assert {r.subject for r in recorded} == signatories
    assert {r.purpose for r in recorded} == {"Förifyllnad av e-tjänst BYGGLOV"}


def test_a_signatory_s_companies_are_those_they_sign_for_alone_unless_asked(gateway):
    def companies(query: str) -> list[str]:
        answer = gateway.get(f"/register/api/foretag/foretag?firmatecknare={ANNA}{query}")
        assert answer.status_code == 200
        return [c["organisationsnummer"] for c in answer.json()["foretag"]]

    # Anna signs for Provstad Bygg only with Gunnel: an older caller asking who may act
    # alone is not told of it
    assert companies("") == companies("&tillsammans=nej") == []
    assert companies("&tillsammans=ja") == ["5599112231"]
    assert (
        gateway.get(
            f"/register/api/foretag/foretag?firmatecknare={ANNA}&tillsammans=kanske"
        ).status_code
        == 400
    )


def test_a_person_gets_their_own_accesses_and_nobody_elses(gateway):
    record_register_access(
        subjects=[ANNA],
        register="property",
        client="SE-TEST/MUN/2120009994/arenden",
        client_name="Exempelby kommun",
        user_id=f"SE{ANNA}",
        purpose="Förifyllnad",
        message_id="m",
    )
    own = gateway.get(f"/register/api/dataspar/atkomster/{ANNA}", HTTP_X_ROAD_USERID=f"SE{ANNA}")
    assert own.status_code == 200
    [access] = own.json()["atkomster"]
    assert (access["organisation"], access["syfte"]) == ("Exempelby kommun", "Förifyllnad")
    other = gateway.get(
        f"/register/api/dataspar/atkomster/{ANNA}", HTTP_X_ROAD_USERID="SE198511224571"
    )
    assert other.status_code == 403
    assert (
        gateway.get("/register/api/dataspar/atkomster/123", HTTP_X_ROAD_USERID="SE123").status_code
        == 400
    )


def test_bad_input_to_the_register_services_is_a_clear_400(gateway):
    assert gateway.get("/register/api/folkbokforing/personer/19900315-2388").status_code == 400
    assert gateway.get("/register/api/fastighet/fastigheter?agare=abc").status_code == 400
    assert gateway.get("/register/api/foretag/foretag/123").status_code == 400
    assert gateway.get("/register/api/foretag/foretag?firmatecknare=x").status_code == 400
    assert (
        gateway.client.get("/register/api/folkbokforing/personer/199003152387").status_code == 403
    )


LEILA = "198807192383"  # protected identity (skyddad folkbokföring)


def test_the_local_registers_answer_as_the_node_does_and_record_the_access(gateway, organisation):
    """The local path (DIGIGOV_REGISTERS=local) gives the register node's own answers: a
    protected person without address or household; and every answer is in the data tracker."""
    local = registers(organisation, user=ANNA)
    leila = local.person(LEILA, purpose="Förifyllnad")
    assert leila.protected and leila.name == "Leila Karimi"
    assert leila.address == Address("", "", "")
    assert local.household(LEILA, purpose="Förifyllnad") == []
    over_exchange = gateway.get(f"/register/api/folkbokforing/personer/{LEILA}").json()
    assert over_exchange["adress"] is None and over_exchange["skyddadFolkbokforing"]
    recorded = RegisterAccess.objects.filter(subject=LEILA, client_name=organisation.name)
    assert [(a.register, a.purpose, a.user_id) for a in recorded] == [
        ("population", "Förifyllnad", f"SE{ANNA}")
    ] * 2  # the person, then the household
    local.person(ANNA, purpose="Förifyllnad av e-tjänst BYGGLOV")
    local.company("5599112231", purpose="Ansökan")
    assert {a.register for a in RegisterAccess.objects.filter(subject=ANNA)} == {
        "population",
        "company",
    }


def test_a_protected_person_is_never_named_in_anothers_household(gateway):
    from digigov.registers.models import PopulationRecord

    PopulationRecord.objects.filter(personal_identity_number=LEILA).update(household="shared")
    PopulationRecord.objects.filter(personal_identity_number=ANNA).update(household="shared")
    members = gateway.get(f"/register/api/folkbokforing/personer/{ANNA}/hushall").json()
    assert LEILA not in {m["personnummer"] for m in members["medlemmar"]}
