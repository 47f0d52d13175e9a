"""An organisation's producer, called as its gateway calls it (with the service's token)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from digigov.cases import actions as case_actions
from digigov.conftest import ANNA, producer_token, submit_bygglov
from digigov.core.actors import Actor
from digigov.mycases import actions, spec

pytestmark = pytest.mark.django_db
ERIK = "198511224571"
SYSTEM = Actor.system("tests")
URL = "/mycases/api/exempelby/kundhandelseFragaSynkron"


@pytest.fixture
def gateway(organisation) -> dict[str, str]:
    return {
        "HTTP_X_DIGIGOV_GATEWAY_TOKEN": producer_token(organisation),
        "HTTP_X_ROAD_CLIENT": "SE-TEST/GOV/2021009978/minaarenden",
        "HTTP_SKV_CLIENT_CORRELATION_ID": "0002aa29-49f2-4baf-be51-c7c39c9824b4",
        "HTTP_X_ROAD_USERID": f"SE{ANNA}",
    }


@pytest.fixture
def annas_cases(services, organisation, case_worker) -> list[Any]:
    """Two Bygglov cases for Anna: one waiting for her completion, one decided."""
    worker = case_actions.staff_in(case_worker, organisation.pk)
    waiting, decided = submit_bygglov(services), submit_bygglov(services)
    case_actions.take(
        staff=worker,
        case=waiting,
        transition_id="begar_komplettering",
        revision=waiting.revision,
        message="Situationsplanen saknar måttangivelser.",
        due_on=dt.date.today() + dt.timedelta(days=21),
    )
    for step, extra in (
        ("paborja", {}),
        ("besluta", {"outcome": "bifall", "reasons": "Åtgärden följer detaljplanen."}),
    ):
        decided.refresh_from_db()
        case_actions.take(
            staff=worker, case=decided, transition_id=step, revision=decided.revision, **extra
        )
    waiting.refresh_from_db()
    decided.refresh_from_db()
    return [waiting, decided]


def ask(client, gateway, fraga: dict[str, Any], anvandare: str = ANNA, **headers: str):
    body = {"fraga": fraga, "anvandare": anvandare}
    return client.post(
        URL, json.dumps(body), content_type="application/json", **{**gateway, **headers}
    )


ANNA_PART = {"kund": {"identifierare": ANNA, "typ": "Personnummer"}}


def test_every_event_of_the_persons_cases_in_the_standards_shape(client, gateway, annas_cases):
    answer = ask(client, gateway, {"parter": [ANNA_PART]})
    assert answer.status_code == 200
    assert answer["skv_client_correlation_id"] == "0002aa29-49f2-4baf-be51-c7c39c9824b4"
    document = answer.json()
    spec.Response.model_validate(document)
    [group] = document["kundhandelser"]
    assert group["part"] == ANNA_PART
    events = group["kundhandelserForPart"]
    # received twice, completion requested, started, decided: newest first
    assert group["totaltAntalKundhandelser"] == len(events) == 5
    assert [e["tidpunkt"] for e in events] == sorted((e["tidpunkt"] for e in events), reverse=True)
    waiting, decided = annas_cases
    requested = next(e for e in events if e["kundhandelseTyp"].endswith("KOMPLETTERING_BEGARD"))
    assert requested["kundhandelseTyp"] == "EXEMPELBY.BYGGLOV.KOMPLETTERING_BEGARD"
    assert requested["producentarendetKraverKundatgard"] is True
    assert requested["producentarendetKlart"] is False
    assert requested["rubrik"] == "Ansökan om bygglov: Komplettering begärd"
    assert requested["sprak"] == "sv"
    assert requested["version"] == "6.1"
    assert requested["producent"] == "Exempelby kommun"
    assert requested["referenser"]["diarienummer"] == waiting.registrar_number
    assert requested["referenser"]["lank"].endswith(f"/mina-sidor/arenden/{waiting.public_id}/")
    assert requested["utokadInformation"]["senastDatum"]
    decision = next(e for e in events if e["kundhandelseTyp"].endswith(".BESLUT"))
    assert decision["producentarendetKlart"] is True
    assert decision["referenser"]["diarienummer"] == decided.registrar_number
    assert document["delfragor"] == [
        {"producent": "Exempelby kommun", "part": ANNA_PART, "status": "OK", "httpCode": 200}
    ]


def test_english_when_asked_for(client, gateway, annas_cases):
    answer = ask(client, gateway, {"parter": [ANNA_PART]}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer["Content-Language"] == "en"
    events = answer.json()["kundhandelser"][0]["kundhandelserForPart"]
    requested = next(e for e in events if e["kundhandelseTyp"].endswith("KOMPLETTERING_BEGARD"))
    assert requested["rubrik"] == "Application for a building permit: Completion requested"
    assert requested["sprak"] == "en"
    assert answer.json()["metadata"]["onskatSprak"] == "en"


def test_filters_by_type_prefix_tags_dates_and_case(client, gateway, annas_cases):
    waiting, _decided = annas_cases

    def events(**fraga: Any) -> list[dict[str, Any]]:
        answer = ask(client, gateway, {"parter": [ANNA_PART], **fraga})
        assert answer.status_code == 200, answer.content
        return answer.json()["kundhandelser"][0]["kundhandelserForPart"]

    assert {
        e["kundhandelseTyp"] for e in events(kundhandelseTyper=["EXEMPELBY.BYGGLOV.BESLUT"])
    } == {"EXEMPELBY.BYGGLOV.BESLUT"}
    assert len(events(kundhandelseTyper=["EXEMPELBY.BYGGLOV"])) == 5
    assert events(kundhandelseTyper=["EXEMPELBY.BYGG"]) == []  # whole parts only
    assert events(kundhandelseTyper=["PROVSTAD"]) == []
    assert [e["producentarendetKraverKundatgard"] for e in events(taggar=["kundatgard"])] == [True]
    today = dt.date.today()
    assert len(events(startDatum=str(today - dt.timedelta(days=1)), slutDatum=str(today))) == 5
    assert events(startDatum=str(today + dt.timedelta(days=1))) == []
    by_case = ask(
        client,
        gateway,
        {
            "parter": [
                {
                    "kund": ANNA_PART["kund"],
                    "arende": {"identifierare": waiting.registrar_number, "typ": "Diarienummer"},
                }
            ]
        },
    ).json()["kundhandelser"][0]
    assert {e["referenser"]["diarienummer"] for e in by_case["kundhandelserForPart"]} == {
        waiting.registrar_number
    }


def test_sorting_and_paging_as_the_standard_describes(client, gateway, annas_cases):
    def page(offset: int, limit: int) -> dict[str, Any]:
        fraga = {
            "parter": [ANNA_PART],
            "behandling": {
                "sortering": [
                    {"attribut": "PRODUCENTARENDETKLART", "stigande": False},
                    {"attribut": "TIDPUNKT", "stigande": True},
                ],
                "paginering": {"offset": offset, "limit": limit},
            },
        }
        return ask(client, gateway, fraga).json()["kundhandelser"][0]

    first, rest = page(0, 2), page(2, 10)
    assert first["totaltAntalKundhandelser"] == rest["totaltAntalKundhandelser"] == 5
    events = first["kundhandelserForPart"] + rest["kundhandelserForPart"]
    assert len(events) == 5
    assert len({e["kundhandelseId"] for e in events}) == 5
    flags = [e["producentarendetKlart"] for e in events]
    assert flags == sorted(flags, reverse=True)  # finished first
    unfinished = [e["tidpunkt"] for e in events if not e["producentarendetKlart"]]
    assert unfinished == sorted(unfinished)


def test_another_persons_events_are_not_given(client, gateway, services, annas_cases):
    submit_bygglov(services, ERIK)
    erik = ask(
        client,
        gateway,
        {"parter": [{"kund": {"identifierare": ERIK, "typ": "Personnummer"}}]},
        anvandare=ERIK,
        HTTP_X_ROAD_USERID=f"SE{ERIK}",
    ).json()
    events = erik["kundhandelser"][0]["kundhandelserForPart"]
    assert len(events) == 1
    assert {e["referenser"]["diarienummer"] for e in events}.isdisjoint(
        {case.registrar_number for case in annas_cases}
    )
    # Anna's case asked for by its number, by Erik: nothing
    waiting = annas_cases[0]
    by_number = ask(
        client,
        gateway,
        {
            "parter": [
                {"arende": {"identifierare": waiting.registrar_number, "typ": "Diarienummer"}}
            ]
        },
        anvandare=ERIK,
        HTTP_X_ROAD_USERID=f"SE{ERIK}",
    ).json()
    assert by_number["kundhandelser"][0]["kundhandelserForPart"] == []


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"anvandare": ERIK}, 403, "X-Road-UserId"),
        ({"parter": []}, 400, "fraga.parter"),
        ({"parter": [{}]}, 400, "a kund, an arende"),
        ({"startDatum": "2026-13-45"}, 400, "startDatum"),
        ({"startDatum": "1 maj"}, 400, "YYYY-MM-DD"),
        ({"startDatum": "2026-09-30", "slutDatum": "2026-09-01"}, 400, "after slutDatum"),
        ({"behandling": {"paginering": {"offset": 0, "limit": 5}}}, 400, "sortering"),
        (
            {
                "behandling": {
                    "sortering": [{"attribut": "TIDPUNKT", "stigande": True}],
                    "paginering": {"offset": -1, "limit": 5000},
                }
            },
            400,
            "paginering",
        ),
        ({"kundhandelseTyper": ["bygglov"]}, 400, "kundhandelseTyper"),
        (
            {"parter": [{"arende": {"identifierare": "BN\u0000", "typ": "Diarienummer"}}]},
            400,
            "identifierare",
        ),
        ({"parter": [ANNA_PART], "taggar": ["a\u0000"]}, 400, "taggar"),
    ],
)
def test_bad_questions_are_refused_clearly(client, gateway, annas_cases, change, status, says):
    fraga = {"parter": [ANNA_PART], **{k: v for k, v in change.items() if k != "anvandare"}}
    answer = ask(client, gateway, fraga, anvandare=change.get("anvandare", ANNA))
    assert answer.status_code == status
    assert answer["Content-Type"] == "application/json"  # the standard's ErrorResponse
    assert says in answer.json()["message"]
    assert answer.json()["status"] == status


def test_junk_bodies_and_a_missing_correlation_id_are_400(client, gateway, annas_cases):
    for body in (b"not json", b"[]", b'{"fraga": {"parter": "x"}, "anvandare": 1}'):
        answer = client.post(URL, body, content_type="application/json", **gateway)
        assert answer.status_code == 400
        assert answer.json()["message"].startswith("Bad request")
    without = {k: v for k, v in gateway.items() if k != "HTTP_SKV_CLIENT_CORRELATION_ID"}
    answer = ask(client, without, {"parter": [ANNA_PART]})
    assert answer.status_code == 400
    assert "skv_client_correlation_id" in answer.json()["message"]


def test_only_the_gateway_with_this_producers_token_is_answered(
    client, gateway, annas_cases, other_organisation
):
    for token in ("", "wrong"):
        answer = ask(
            client, {**gateway, "HTTP_X_DIGIGOV_GATEWAY_TOKEN": token}, {"parter": [ANNA_PART]}
        )
        assert answer.status_code == 403
    # the token is Exempelby's producer's: Provstad's producer does not take it
    answer = client.post(
        "/mycases/api/provstad/kundhandelseFragaSynkron",
        json.dumps({"fraga": {"parter": [ANNA_PART]}, "anvandare": ANNA}),
        content_type="application/json",
        **gateway,
    )
    assert answer.status_code == 403
    assert client.get(URL, **gateway).status_code == 405
    unknown = client.post(
        "/mycases/api/ingenstans/kundhandelseFragaSynkron",
        b"{}",
        content_type="application/json",
        **gateway,
    )
    assert unknown.status_code == 404
    assert "no producer 'ingenstans'" in unknown.json()["message"]


def test_a_paused_producer_answers_503(client, gateway, organisation, annas_cases):
    actions.set_producer_paused(actor=SYSTEM, organisation=organisation, paused=True)
    answer = ask(client, gateway, {"parter": [ANNA_PART]})
    assert answer.status_code == 503
    assert "maintenance" in answer.json()["message"]
    actions.set_producer_paused(actor=SYSTEM, organisation=organisation, paused=False)
    assert ask(client, gateway, {"parter": [ANNA_PART]}).status_code == 200


def test_a_company_part_needs_someone_who_may_sign_for_it_alone(client, gateway, annas_cases):
    # Erik signs alone for Exempelkrogen AB (the company register); Anna does not
    krogen = {"kund": {"identifierare": "165566778899", "typ": "Organisationsnummer"}}
    refused = ask(client, gateway, {"parter": [krogen]})
    assert refused.status_code == 200
    [delfraga] = refused.json()["delfragor"]
    assert (delfraga["status"], delfraga["httpCode"]) == ("FEL", 403)
    assert "may not see the cases of 5566778899" in delfraga["message"]
    assert refused.json()["kundhandelser"] == []
    allowed = ask(
        client, gateway, {"parter": [krogen]}, anvandare=ERIK, HTTP_X_ROAD_USERID=f"SE{ERIK}"
    )
    assert allowed.status_code == 200
    assert allowed.json()["kundhandelser"][0]["kundhandelserForPart"] == []
    assert allowed.json()["delfragor"][0]["httpCode"] == 200


def test_each_part_is_answered_on_its_own(client, gateway, annas_cases):
    """Mina ärenden answers per part: a part about someone else is refused in its
    delfraga, and the asker's own part is still answered (it was 403 for all)."""
    erik = {"kund": {"identifierare": ERIK, "typ": "Personnummer"}}
    answer = ask(client, gateway, {"parter": [ANNA_PART, erik]})
    assert answer.status_code == 200
    document = answer.json()
    [annas] = document["kundhandelser"]
    assert annas["part"] == ANNA_PART and annas["totaltAntalKundhandelser"] > 0
    outcomes = [(d["part"], d["status"], d["httpCode"]) for d in document["delfragor"]]
    assert outcomes == [(ANNA_PART, "OK", 200), (erik, "FEL", 403)]
    assert "person asking" in document["delfragor"][1]["message"]


def test_staff_are_not_named_in_the_events(client, gateway, annas_cases, case_worker):
    text = ask(client, gateway, {"parter": [ANNA_PART]}).content.decode()
    assert case_worker.first_name not in text
    assert case_worker.username not in text


def test_cases_of_services_above_the_askers_level_are_left_out(client, gateway, annas_cases):
    """A Digigov portal says at what level the person signed in (Digigov-LoA); Bygglov
    needs loa3, so a loa2 sign-in is told of none of its events. Without the header the
    asker is taken to be at loa3, as Mina ärenden's own portal is."""

    def events(**headers: str) -> int:
        [group] = ask(client, gateway, {"parter": [ANNA_PART]}, **headers).json()["kundhandelser"]
        return group["totaltAntalKundhandelser"]

    assert events() > 0
    assert events(HTTP_DIGIGOV_LOA="http://id.elegnamnden.se/loa/1.0/loa3") == events()
    assert events(HTTP_DIGIGOV_LOA="http://id.elegnamnden.se/loa/1.0/loa2") == 0
