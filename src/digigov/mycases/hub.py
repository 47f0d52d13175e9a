"""The Mina ärenden hub: one question, every producer asked at once, the answers merged.

With `DIGIGOV_MYCASES_HUB` naming a subsystem, the hub asks every producer
service (`kundhandelser`) that the global configuration lets that subsystem
call, through its gateway, all at once, each within `DIGIGOV_MYCASES_TIMEOUT`.
A producer that fails, answers junk or is too slow is reported per part in
`delfragor` and the hub answers 206 with the others' events. With `local`,
the organisations of this installation are asked in-process. Complete
answers are kept per person and question for `DIGIGOV_MYCASES_CACHE_SECONDS`.
Every question is logged (`HubQuestion`) with who asked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

import pydantic
from django.conf import settings
from django.core.cache import cache

from digigov.core import outbound
from digigov.core.models import Organisation
from digigov.exchange import queries as exchange_queries
from digigov.exchange.client import AsyncExchangeClient, ExchangeError
from digigov.exchange.identifiers import BadIdentifier, ClientId, ServiceId
from digigov.mycases import actions, producer, spec

logger = logging.getLogger(__name__)

PRODUCER_SERVICE = "kundhandelser"  # each organisation's producer, on its subsystem
HUB_SERVICE = "vidareformedling"  # the hub, for portals on other installations
PATH = "/kundhandelseFragaSynkron"
ISSUE = "Mina ärenden: dina ärenden hos alla organisationer"


class HubUnavailable(Exception):
    """The hub cannot ask anyone (it is not set up here)."""


@dataclass
class Outcome:
    """How one producer answered."""

    producer: str  # its name
    status: str  # OK, FEL (failed or junk) or TIMEOUT
    http_code: int
    message: str = ""
    answer: spec.Response | None = None

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "answer"}


@dataclass
class HubAnswer:
    status: int  # 200, or 206 when a producer could not answer
    document: dict[str, Any]  # KundhandelseFragaResponse
    outcomes: list[dict[str, Any]]
    cached: bool = False

    @property
    def failed(self) -> list[str]:
        return [o["producer"] for o in self.outcomes if o["status"] != "OK"]


def ask(
    request: spec.Request, *, language: str, correlation_id: str, asker: str, loa: str
) -> HubAnswer:
    """Ask every producer about the person's cases that their sign-in (`loa`) may see."""
    started = time.perf_counter()
    key = _cache_key(request, language, loa)
    kept = cache.get(key) if settings.MYCASES_CACHE_SECONDS > 0 else None
    if kept is not None:
        answer = HubAnswer(200, kept["document"], kept["outcomes"], cached=True)
    else:
        widened = _widened(request)
        if settings.MYCASES_HUB == "local":
            outcomes = _ask_here(widened, language, loa)
        else:
            hub, url, producers = _federation()
            # The timeout is the question's: time spent before asking counts too.
            deadline = started + settings.MYCASES_TIMEOUT
            outcomes = outbound.run(
                _ask_federation(
                    hub, url, producers, widened, language, correlation_id, deadline, loa
                ),
                "the Mina ärenden producers",
            )
        answer = merge(request, language, outcomes)
        complete = answer.status == 200 and all(
            part["status"] == "OK" for part in answer.document["delfragor"]
        )
        if complete and settings.MYCASES_CACHE_SECONDS > 0:
            cache.set(
                key,
                {"document": answer.document, "outcomes": answer.outcomes},
                settings.MYCASES_CACHE_SECONDS,
            )
    actions.record_question(
        asker=asker,
        user=request.anvandare,
        parts=[part.as_json() for part in request.fraga.parter],
        correlation_id=correlation_id,
        outcomes=answer.outcomes,
        status=answer.status,
        cached=answer.cached,
        milliseconds=round((time.perf_counter() - started) * 1000),
    )
    return answer


def _cache_key(request: spec.Request, language: str, loa: str) -> str:
    question = json.dumps(request.model_dump(mode="json"), sort_keys=True)
    asked = f"{settings.MYCASES_HUB}|{language}|{loa}|{question}"
    digest = hashlib.sha256(asked.encode()).hexdigest()
    return f"mycases:hub:{request.anvandare}:{digest}"


def _widened(request: spec.Request) -> spec.Request:
    """Each producer is asked for everything up to the end of the page asked for;
    the hub sorts the union and cuts the page itself."""
    behandling = request.fraga.behandling
    if behandling is None or behandling.paginering is None:
        return request
    paging = behandling.paginering
    end = paging.offset + paging.limit if paging.limit is not None else None
    widened = spec.Paginering(
        offset=0, limit=end if end is not None and end <= spec.MAX_LIMIT else None
    )
    fraga = request.fraga.model_copy(
        update={"behandling": behandling.model_copy(update={"paginering": widened})}
    )
    return request.model_copy(update={"fraga": fraga})


# -- asking -----------------------------------------------------------------------------


def _ask_here(request: spec.Request, language: str, loa: str) -> list[Outcome]:
    outcomes = []
    for organisation in Organisation.objects.order_by("name"):
        try:
            document = producer.answer(organisation, producer.Question(request, language, loa))
            outcomes.append(
                Outcome(organisation.name, "OK", 200, answer=spec.Response.model_validate(document))
            )
        except producer.Refused as refused:
            outcomes.append(Outcome(organisation.name, "FEL", refused.status, refused.message))
    return outcomes


def _federation() -> tuple[ClientId, str, list[tuple[ServiceId, str]]]:
    """The hub's subsystem, its gateway here, and every producer it may ask, with names."""
    try:
        hub = ClientId.parse(settings.MYCASES_HUB)
    except BadIdentifier as error:
        raise HubUnavailable(f"DIGIGOV_MYCASES_HUB is not a subsystem: {error}") from error
    url = exchange_queries.gateway_url_of(str(hub.member))
    if url is None:
        raise HubUnavailable(f"{hub.member} has no gateway on this installation")
    conf = exchange_queries.configuration_in_use()
    found = exchange_queries.services_named(PRODUCER_SERVICE, open_to=hub, method="POST", path=PATH)
    producers = [
        (
            service,
            (conf.member_name(str(service.client.member)) if conf else None)
            or str(service.client.member),
        )
        for service in found
    ]
    return hub, url, producers


async def _ask_federation(
    hub: ClientId,
    url: str,
    producers: list[tuple[ServiceId, str]],
    request: spec.Request,
    language: str,
    correlation_id: str,
    deadline: float,
    loa: str,
) -> list[Outcome]:
    body = request.model_dump_json(exclude_none=True).encode()
    headers = {
        spec.CORRELATION_HEADER: correlation_id,
        "Accept-Language": language,
        producer.LOA_HEADER: loa,
    }
    timeout = settings.MYCASES_TIMEOUT
    async with AsyncExchangeClient(url, hub, timeout=timeout + 1) as client:

        async def one(service: ServiceId, name: str) -> Outcome:
            try:
                return await asyncio.wait_for(
                    _ask_one(client, service, name, body, headers, request.anvandare),
                    max(0.0, deadline - time.perf_counter()),
                )
            except TimeoutError:
                return Outcome(name, "TIMEOUT", 504, f"no answer within {timeout:g} s")

        return list(await asyncio.gather(*(one(service, name) for service, name in producers)))


async def _ask_one(
    client: AsyncExchangeClient,
    service: ServiceId,
    name: str,
    body: bytes,
    headers: dict[str, str],
    user: str,
) -> Outcome:
    try:
        response = await client.post(
            service, PATH, body, user_id=f"SE{user}", issue=ISSUE, headers=headers
        )
    except ExchangeError as error:
        return Outcome(name, "FEL", error.status or 502, f"{error.code}: {error.message}"[:500])
    if response.status_code != 200:
        return Outcome(name, "FEL", response.status_code, _message_of(response.content))
    try:
        answer = spec.Response.model_validate_json(response.content)
    except pydantic.ValidationError as error:
        return Outcome(
            name,
            "FEL",
            502,
            f"the answer does not follow Mina ärenden {spec.VERSION}: {spec.error_message(error)}"[
                :500
            ],
        )
    return Outcome(name, "OK", 200, answer=answer)


def _message_of(content: bytes) -> str:
    try:
        document = json.loads(content)
    except ValueError:
        return content[:200].decode("utf-8", "replace")
    if isinstance(document, dict):
        return str(document.get("message") or document.get("detail") or "")[:500]
    return ""


# -- merging ----------------------------------------------------------------------------


def merge(request: spec.Request, language: str, outcomes: list[Outcome]) -> HubAnswer:
    fraga = request.fraga
    answered = []
    for part in fraga.parter:
        wanted = part.as_json()
        events: list[spec.Kundhandelse] = []
        total = 0
        groups = [
            group
            for outcome in outcomes
            if outcome.answer is not None
            for group in outcome.answer.kundhandelser
            if group.part.as_json() == wanted
        ]
        if not groups:
            continue  # no producer answered this part: its delfragor say why
        for group in groups:
            events += group.kundhandelserForPart
            total += group.totaltAntalKundhandelser
        page = spec.treat(events, fraga.behandling)
        answered.append(
            {
                "part": wanted,
                "totaltAntalKundhandelser": total,
                "kundhandelserForPart": [
                    e.model_dump(mode="json", exclude_none=True) for e in page
                ],
            }
        )
    delfragor = [delfraga for outcome in outcomes for delfraga in _delfragor(outcome, fraga.parter)]
    status = 206 if any(o.status != "OK" for o in outcomes) else 200
    return HubAnswer(
        status,
        {
            "kundhandelser": answered,
            "metadata": spec.metadata(fraga, language),
            "delfragor": delfragor,
        },
        [o.summary() for o in outcomes],
    )


def _delfragor(outcome: Outcome, parts: list[spec.Part]) -> list[dict[str, Any]]:
    """Each part's outcome at one producer: as the producer gave it, or the producer's
    failure for every part."""
    if outcome.answer is not None:
        given = {
            json.dumps(d.part.as_json() if d.part else None, sort_keys=True): d
            for d in outcome.answer.delfragor
        }
    else:
        given = {}
    found = []
    for part in parts:
        delfraga = given.get(json.dumps(part.as_json(), sort_keys=True))
        status, code, message = (
            (delfraga.status, delfraga.httpCode or 200, delfraga.message or "")
            if delfraga is not None
            else (outcome.status, outcome.http_code, outcome.message)
        )
        found.append(
            {
                "producent": outcome.producer,
                "part": part.as_json(),
                "status": status,
                "httpCode": code,
                **({"message": message} if message else {}),
            }
        )
    return found


# -- for the portal page ------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLine:
    """One case on the Mina ärenden page: what its newest event says."""

    producer: str
    registrar_number: str
    title: str
    description: str
    when: dt.datetime
    link: str
    must_act: bool
    finished: bool


def cases_of(answer: HubAnswer) -> list[CaseLine]:
    """The events grouped by case (producer and registrar number), newest event first."""
    newest: dict[tuple[str, str], spec.Kundhandelse] = {}
    for group in answer.document["kundhandelser"]:
        for event in (spec.Kundhandelse.model_validate(e) for e in group["kundhandelserForPart"]):
            references = event.referenser or {}
            case = str(references.get("diarienummer") or event.kundhandelseId)
            key = (event.producent, case)
            if key not in newest or event.tidpunkt > newest[key].tidpunkt:
                newest[key] = event
    lines = [
        CaseLine(
            producer=producer_name,
            registrar_number=case,
            title=event.rubrik,
            description=event.beskrivning,
            when=event.tidpunkt,
            link=_web_link((event.referenser or {}).get("lank")),
            must_act=event.producentarendetKraverKundatgard,
            finished=event.producentarendetKlart,
        )
        for (producer_name, case), event in newest.items()
    ]
    return sorted(lines, key=lambda line: line.when, reverse=True)


def _web_link(value: object) -> str:
    """A producer's link, if it is a web address (never `javascript:` or the like)."""
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) else ""
