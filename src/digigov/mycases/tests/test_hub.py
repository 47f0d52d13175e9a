"""The hub asking producers through real gateways on loopback (mutual TLS, signed, logged).

Exempelby and Provstad are Digigov producers (this installation's web server,
behind their own gateways); a third producer answers junk and a fourth hangs,
each behind a gateway of its own.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from digigov.conftest import ANNA
from digigov.core.actors import Actor
from digigov.exchange import actions, http, log
from digigov.exchange.identifiers import ClientId
from digigov.exchange.models import MessageLogEntry
from digigov.exchange.testing import Running, free_port
from digigov.identity.loa import LOA2, LOA3
from digigov.mycases import hub, spec
from digigov.mycases.models import HubQuestion

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("underscored_headers"),
]
OPERATOR = Actor.system("tests")
HUB = "SE-TEST/GOV/2021009978/minaarenden"
PORTAL = "SE-TEST/MUN/2120009986/arenden"
TIMEOUT = 1.0
ANNA_PART = {"kund": {"identifierare": ANNA, "typ": "Personnummer"}}


def _question(**fraga: Any) -> spec.Request:
    return spec.Request.model_validate(
        {"fraga": {"parter": [ANNA_PART], **fraga}, "anvandare": ANNA}
    )


async def _junk(request: http.Request) -> http.Response:
    return http.json_response(200, {"kundhandelser": [{"part": "nobody"}]})


async def _hang(request: http.Request) -> http.Response:
    await asyncio.sleep(30)
    return http.json_response(200, {})


@pytest.fixture
def federation(live_server, settings, organisation, other_organisation) -> Iterator[dict[str, Any]]:
    settings.MYCASES_HUB = HUB
    settings.MYCASES_TIMEOUT = TIMEOUT
    running = Running()
    odd = {name: free_port() for name in ("junk", "hang")}
    servers = [
        running.run(http.start(handler, "127.0.0.1", odd[name]))
        for name, handler in (("junk", _junk), ("hang", _hang))
    ]
    registry = actions.init_registry(actor=OPERATOR, instance="SE-TEST")
    members = {
        "nav": actions.save_member(
            actor=OPERATOR, member_class="GOV", member_code="2021009978", name="Ärendenavet"
        ),
        "exempelby": actions.save_member(
            actor=OPERATOR,
            member_class="MUN",
            member_code="2120009994",
            name="Exempelby kommun",
            organisation=organisation,
        ),
        "provstad": actions.save_member(
            actor=OPERATOR,
            member_class="MUN",
            member_code="2120009986",
            name="Provstad kommun",
            organisation=other_organisation,
        ),
        "junk": actions.save_member(
            actor=OPERATOR, member_class="COM", member_code="5566778899", name="Skräpbolaget"
        ),
        "hang": actions.save_member(
            actor=OPERATOR, member_class="NGO", member_code="8020001234", name="Sölig förening"
        ),
    }
    asker = actions.add_subsystem(actor=OPERATOR, member=members["nav"], code="minaarenden")
    hub_system = asker
    bases = {
        "exempelby": f"{live_server.url}/mycases/api/exempelby",
        "provstad": f"{live_server.url}/mycases/api/provstad",
        "junk": f"http://127.0.0.1:{odd['junk']}/mycases",
        "hang": f"http://127.0.0.1:{odd['hang']}/mycases",
    }
    for name, base in bases.items():
        subsystem = actions.add_subsystem(actor=OPERATOR, member=members[name], code="arenden")
        service = actions.register_service(
            actor=OPERATOR, subsystem=subsystem, code=hub.PRODUCER_SERVICE
        )
        actions.grant_access(
            actor=OPERATOR, service=service, client=asker, method="POST", path=hub.PATH
        )
        actions.save_local_service(
            actor=OPERATOR,
            provider=ClientId.parse(f"{members[name]}/arenden"),
            code=hub.PRODUCER_SERVICE,
            base_url=base,
        )
    # the hub as a service, for a portal on another installation (Provstad's here)
    forwarding = actions.register_service(
        actor=OPERATOR, subsystem=hub_system, code=hub.HUB_SERVICE
    )
    actions.grant_access(
        actor=OPERATOR,
        service=forwarding,
        client=actions.subsystem_by_id(PORTAL),
        method="POST",
        path=hub.PATH,
    )
    actions.save_local_service(
        actor=OPERATOR,
        provider=ClientId.parse(HUB),
        code=hub.HUB_SERVICE,
        base_url=f"{live_server.url}/mycases/hub",
    )
    gateways = running.federate(registry, members)
    local = {name: gateway.local for name, gateway in gateways.items()}
    yield {"running": running, "gateways": gateways, "local": local}
    for server in servers:
        running.run(server.close())
    running.stop()


def without(*names: str) -> None:
    """Take producers out of the federation: the hub asks only the rest."""
    for name in names:
        member = {"junk": "SE-TEST/COM/5566778899", "hang": "SE-TEST/NGO/8020001234"}[name]
        service = actions.subsystem_by_id(f"{member}/arenden").services.get()
        actions.revoke_access(actor=OPERATOR, service=service, client=actions.subsystem_by_id(HUB))
    actions.accept_configuration(
        actor=OPERATOR, signed=actions.publish_configuration(actor=OPERATOR).signed
    )


def ask(question: spec.Request) -> hub.HubAnswer:
    return hub.ask(
        question, language="sv", correlation_id=str(uuid.uuid4()), asker="tests", loa=LOA3
    )


def test_the_hub_asks_every_producer_through_the_exchange_and_merges(
    federation, cases_at_two_municipalities
):
    without("junk", "hang")
    answer = ask(_question())
    assert answer.status == 200, answer.outcomes
    spec.Response.model_validate(answer.document)
    [group] = answer.document["kundhandelser"]
    producers = {e["producent"] for e in group["kundhandelserForPart"]}
    assert producers == {"Exempelby kommun", "Provstad kommun"}
    # Exempelby: received + completion requested; Provstad: 2 received, 2 started, 1 decided
    assert group["totaltAntalKundhandelser"] == len(group["kundhandelserForPart"]) == 7
    times = [e["tidpunkt"] for e in group["kundhandelserForPart"]]
    assert times == sorted(times, reverse=True)
    assert sorted((d["producent"], d["status"]) for d in answer.document["delfragor"]) == [
        ("Exempelby kommun", "OK"),
        ("Provstad kommun", "OK"),
    ]
    # every question went through both gateways, logged and verifying
    issued = MessageLogEntry.objects.filter(issue=hub.ISSUE)
    assert issued.filter(side="client").count() == 4  # the hub's gateway: 2 requests, 2 answers
    assert issued.filter(side="server").count() == 4
    assert set(issued.values_list("user_id", flat=True)) == {f"SE{ANNA}"}
    checked, problems = log.verify()
    assert checked > 0
    assert problems == []


def test_each_producer_leaves_out_what_the_persons_sign_in_may_not_see(
    federation, cases_at_two_municipalities
):
    """The portal's level reaches every producer through both gateways (Digigov-LoA)."""
    without("junk", "hang")
    low = hub.ask(
        _question(), language="sv", correlation_id=str(uuid.uuid4()), asker="tests", loa=LOA2
    )
    assert low.status == 200, low.outcomes
    [group] = low.document["kundhandelser"]
    assert group["totaltAntalKundhandelser"] == 0
    [group] = ask(_question()).document["kundhandelser"]
    assert group["totaltAntalKundhandelser"] == 7


def test_paging_is_over_the_merged_answer(federation, cases_at_two_municipalities):
    without("junk", "hang")
    everything = ask(_question())
    order = {"sortering": [{"attribut": "TIDPUNKT", "stigande": True}]}
    page = ask(_question(behandling={**order, "paginering": {"offset": 2, "limit": 3}}))
    all_ids = [
        e["kundhandelseId"]
        for e in reversed(everything.document["kundhandelser"][0]["kundhandelserForPart"])
    ]
    [group] = page.document["kundhandelser"]
    assert [e["kundhandelseId"] for e in group["kundhandelserForPart"]] == all_ids[2:5]
    assert group["totaltAntalKundhandelser"] == 7


def test_junk_and_a_hanging_producer_are_reported_and_the_others_given(
    federation, cases_at_two_municipalities
):
    started = time.perf_counter()
    answer = ask(_question())
    took = time.perf_counter() - started
    assert answer.status == 206
    outcomes = {o["producer"]: o for o in answer.outcomes}
    assert outcomes["Exempelby kommun"]["status"] == "OK"
    assert outcomes["Provstad kommun"]["status"] == "OK"
    assert outcomes["Skräpbolaget"]["status"] == "FEL"
    assert "does not follow Mina ärenden 6.1" in outcomes["Skräpbolaget"]["message"]
    assert outcomes["Sölig förening"]["status"] == "TIMEOUT"
    assert outcomes["Sölig förening"]["http_code"] == 504
    assert took < TIMEOUT + 2  # cut off at the timeout, not the hanging service's 30 s
    [group] = answer.document["kundhandelser"]
    assert len(group["kundhandelserForPart"]) == 7
    failed = [d for d in answer.document["delfragor"] if d["status"] != "OK"]
    assert {d["producent"] for d in failed} == {"Skräpbolaget", "Sölig förening"}
    assert HubQuestion.objects.get().status == 206


def test_a_producer_whose_gateway_is_down_is_reported(federation, cases_at_two_municipalities):
    without("junk", "hang")
    running: Running = federation["running"]
    running.run(federation["gateways"]["provstad"].stop())
    running.gateways.remove(federation["gateways"]["provstad"])
    answer = ask(_question())
    assert answer.status == 206
    outcome = next(o for o in answer.outcomes if o["producer"] == "Provstad kommun")
    assert outcome["status"] == "FEL"
    assert "NetworkError" in outcome["message"]
    producers = {
        e["producent"] for e in answer.document["kundhandelser"][0]["kundhandelserForPart"]
    }
    assert producers == {"Exempelby kommun"}


def test_a_complete_answer_is_kept_a_while_per_person(federation, cases_at_two_municipalities):
    without("junk", "hang")
    first = ask(_question())
    logged = MessageLogEntry.objects.count()
    again = ask(_question())
    assert again.cached and not first.cached
    assert again.document == first.document
    assert MessageLogEntry.objects.count() == logged  # nobody was asked again
    assert list(HubQuestion.objects.order_by("pk").values_list("cached", flat=True)) == [
        False,
        True,
    ]


def portal_call(federation: dict[str, Any], body: object, **headers: str) -> httpx.Response:
    url = f"http://127.0.0.1:{federation['local']['provstad'].client_port}"
    return httpx.post(
        f"{url}/r1/{HUB}/{hub.HUB_SERVICE}{hub.PATH}",
        content=json.dumps(body).encode(),
        headers={
            "X-Road-Client": PORTAL,
            "X-Road-UserId": f"SE{ANNA}",
            "Content-Type": "application/json",
            "skv_client_correlation_id": "portal-1",
            **headers,
        },
        timeout=30,
    )


def test_a_portal_asks_the_hub_over_the_exchange(federation, cases_at_two_municipalities):
    without("junk", "hang")
    answer = portal_call(federation, {"fraga": {"parter": [ANNA_PART]}, "anvandare": ANNA})
    assert answer.status_code == 200, answer.text
    assert answer.headers["skv_client_correlation_id"] == "portal-1"
    assert answer.headers["content-language"] == "sv"
    assert "x-road-request-hash" in answer.headers
    assert answer.json()["kundhandelser"][0]["totaltAntalKundhandelser"] == 7
    question = HubQuestion.objects.get()
    assert (question.asker, question.user, question.correlation_id) == (PORTAL, ANNA, "portal-1")


@pytest.mark.parametrize(
    ("body", "headers", "status", "says"),
    [
        (
            {"fraga": {"parter": [ANNA_PART]}, "anvandare": ANNA},
            {"X-Road-UserId": "SE198511224571"},
            403,
            "X-Road-UserId",
        ),
        (
            {"fraga": {"parter": [ANNA_PART], "startDatum": "2026-02-30"}, "anvandare": ANNA},
            {},
            400,
            "startDatum",
        ),
        (
            {
                "fraga": {
                    "parter": [ANNA_PART],
                    "behandling": {
                        "sortering": [{"attribut": "TIDPUNKT", "stigande": True}],
                        "paginering": {"offset": "x"},
                    },
                },
                "anvandare": ANNA,
            },
            {},
            400,
            "paginering",
        ),
        (
            {"fraga": {"parter": [ANNA_PART]}, "anvandare": ANNA},
            {"skv_client_correlation_id": ""},
            400,
            "skv_client_correlation_id",
        ),
    ],
)
def test_bad_questions_to_the_hub_are_refused_clearly(
    federation, cases_at_two_municipalities, body, headers, status, says
):
    without("junk", "hang")
    answer = portal_call(federation, body, **headers)
    assert answer.status_code == status
    assert says in answer.json()["message"]
    assert not HubQuestion.objects.exists()


def test_the_hub_passes_on_each_producers_answer_part_by_part(
    federation, cases_at_two_municipalities
):
    without("junk", "hang")
    erik = {"kund": {"identifierare": "198511224571", "typ": "Personnummer"}}
    answer = portal_call(federation, {"fraga": {"parter": [ANNA_PART, erik]}, "anvandare": ANNA})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    [annas] = document["kundhandelser"]
    assert annas["part"] == ANNA_PART and annas["totaltAntalKundhandelser"] >= 2
    by_part = {}
    for delfraga in document["delfragor"]:
        by_part.setdefault(json.dumps(delfraga["part"]), set()).add(delfraga["httpCode"])
    assert by_part == {json.dumps(ANNA_PART): {200}, json.dumps(erik): {403}}
    assert len(document["delfragor"]) == 4  # two producers, two parts


def test_a_subsystem_without_access_to_the_hub_is_refused_by_the_gateway(federation):
    url = f"http://127.0.0.1:{federation['local']['exempelby'].client_port}"
    answer = httpx.post(
        f"{url}/r1/{HUB}/{hub.HUB_SERVICE}{hub.PATH}",
        content=b"{}",
        headers={"X-Road-Client": "SE-TEST/MUN/2120009994/arenden"},
        timeout=30,
    )
    assert answer.status_code == 500  # PR-REST 4.6: a gateway's refusal is Server.*, 500
    assert answer.headers["x-road-error"] == "Server.ServerProxy.AccessDenied"
