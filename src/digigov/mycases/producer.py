"""One organisation's Mina ärenden producer: its case events as kundhändelser.

Every event of a case (`cases.models.CaseEvent`) is one kundhändelse:
`kundhandelseTyp` is the event's `ORG.SERVICE.EVENT`, the two flags are the
state's, `referenser` carries the registrar number and a link to the case's
page, and the texts come in the language asked for (Swedish unless English).
Who may see what (`companies_for`): the person asking (`anvandare`) sees cases
they applied in or submitted, and a company's cases when the company register
says they may sign for it alone; a part naming anyone else is refused in its
`delfraga`, and the question's other parts are answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from digigov.cases import events
from digigov.cases.models import CaseEvent
from digigov.core.models import Organisation
from digigov.identity import loa as levels
from digigov.mycases import queries, spec
from digigov.registers.client import RegisterUnavailable, registers
from digigov.services import catalogue


class Refused(Exception):
    """The question cannot be answered: `status` is the HTTP status to give."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# Digigov's portals say at what level the person signed in; the standard has no field
# for it, so an asker that does not say is taken to be at loa3, as Mina ärenden's portal.
# (Not an X-Digigov- header: those are the gateways' own and stop at them.)
LOA_HEADER = "Digigov-LoA"


def loa_of(headers: Any) -> str:
    """The asker's level from LOA_HEADER; loa3 when it names none we know."""
    given = str(headers.get(LOA_HEADER, ""))
    return given if levels.level(given) else levels.LOA3


@dataclass(frozen=True)
class Question:
    request: spec.Request
    language: str  # sv or en
    loa: str = levels.LOA3  # the asker's sign-in: cases of services needing more are left out


def answer(organisation: Organisation, question: Question) -> dict[str, Any]:
    """The answer in the standard's shape (KundhandelseFragaResponse), as JSON: each part
    answered on its own, with its outcome in `delfragor` (a part about someone the asker
    may not see is refused there, and the other parts still answered)."""
    if queries.producer_paused(organisation):
        raise Refused(503, f"{organisation.name} answers no questions right now (maintenance)")
    fraga, user = question.request.fraga, question.request.anvandare
    answered, outcomes = [], []
    with translation.override(question.language):
        for part in fraga.parter:
            try:
                companies = companies_for(organisation, part, user)
            except Refused as refused:
                outcomes.append(_delfraga(organisation, part, refused.status, refused.message))
                continue
            rows = queries.events_for(
                organisation, part, user=user, companies=companies, loa=question.loa
            )
            events = [_kundhandelse(organisation, row) for row in rows if _asked_for(row, fraga)]
            page = spec.treat(events, fraga.behandling)
            answered.append(
                {
                    "part": part.as_json(),
                    "totaltAntalKundhandelser": len(events),
                    "kundhandelserForPart": [e.model_dump(mode="json") for e in page],
                }
            )
            outcomes.append(_delfraga(organisation, part, 200))
    return {
        "kundhandelser": answered,
        "metadata": spec.metadata(fraga, question.language),
        "delfragor": outcomes,
    }


def _delfraga(
    organisation: Organisation, part: spec.Part, status: int, message: str = ""
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "producent": organisation.name,
        "part": part.as_json(),
        "status": "OK" if status == 200 else "FEL",
        "httpCode": status,
    }
    if message:
        found["message"] = message
    return found


def companies_for(organisation: Organisation, part: spec.Part, user: str) -> list[str]:
    """Who may ask about a part, the one rule: the person asking about themselves, or about
    a company the company register says they may sign for alone (the companies whose
    cases the part may show are returned). A case named alone searches only the asker's
    own cases. Refused otherwise, with the status to give."""
    if part.kund is None:
        return []
    if part.kund.typ != "Organisationsnummer":
        if part.kund.identifierare != user:
            raise Refused(403, "a question may only be about the person asking (anvandare)")
        return []
    number = queries.organisation_number(part.kund.identifierare)
    try:
        allowed = registers(organisation, user=user).may_sign_for(
            user, number, purpose="Mina ärenden: företagets ärenden"
        )
    except RegisterUnavailable as error:
        raise Refused(503, "the company register cannot be asked right now") from error
    if not allowed:
        raise Refused(403, f"{user} may not see the cases of {number}")
    return [number]


def _asked_for(event: CaseEvent, fraga: spec.Fraga) -> bool:
    """Does the event pass the question's type, date and tag filters?"""
    tags = {event.case.service_code.lower()} | (
        {"kundatgard"} if event.resident_must_act else set()
    )
    return (
        spec.of_types(event.event_type, fraga.kundhandelseTyper)
        and spec.in_dates(event.occurred_at, fraga)
        and (not fraga.taggar or bool(tags & set(fraga.taggar)))
    )


def case_link(case_public_id: str) -> str:
    return settings.PUBLIC_URL + reverse("web:my-case", args=[case_public_id])


def _kundhandelse(organisation: Organisation, event: CaseEvent) -> spec.Kundhandelse:
    case = event.case
    package = catalogue.spec_of(case.service_version)
    english = translation.get_language() == "en"
    states = {state.id: state for state in package.process.states}
    state = states.get(str(event.data.get("state", case.state)))
    title = events.title(event)
    service_title = _text(package.name, english)
    description = _text(state.resident_text, english) if state else ""
    extra: dict[str, Any] = {"tjanst": case.service_code}
    if due := event.data.get("due_on"):
        extra["senastDatum"] = due
        description = f"{description} " + str(_("Svara senast {date}.")).format(date=due)
    if outcome := event.data.get("outcome"):
        extra["utfall"] = outcome
    return spec.Kundhandelse(
        kundhandelseId=f"{organisation.slug.upper()}-{case.series}{case.year}-{case.number or 0:05d}-{event.pk}",
        rubrik=f"{service_title}: {title}"[:255],
        beskrivning=description.strip(),
        sprak="en" if english else "sv",
        producent=organisation.name,
        tidpunkt=event.occurred_at.astimezone(spec.STOCKHOLM),
        kundhandelseTyp=event.event_type,
        producentarendetKraverKundatgard=event.resident_must_act,
        producentarendetKlart=event.finished,
        version=spec.VERSION,
        utokadInformation=extra,
        referenser={
            "diarienummer": case.registrar_number,
            "lank": case_link(str(case.public_id)),
        },
    )


def _text(text: Any, english: bool) -> str:
    return str(text.en if english else text.sv)
