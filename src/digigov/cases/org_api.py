"""API of cases for an organisation's own systems, and the public diary.

A system calls with its organisation's key (`digigov api_credential create`)
and sees only that organisation's cases, within the key's scopes; it acts
in the process role the key was given. Every read of a case is an access
record, as when staff open it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from digigov.cases import actions, disclosure, queries
from digigov.cases.disclosure import Reader
from digigov.cases.models import Case, CaseEvent, Document
from digigov.core import queries as core_queries
from digigov.core.actors import Actor
from digigov.core.fields import SafeText
from digigov.core.problems import Problem, documented, english_and_swedish, field_errors
from digigov.identity.api import OrganisationKeyAuth
from digigov.identity.models import ApiCredential
from digigov.identity.roles import StepActor

router = Router(tags=["cases"])
ACCESS_PURPOSE = "Verksamhetssystem"


# -- shapes ---------------------------------------------------------------------------


class ClockOut(Schema):
    law: str
    started_on: dt.date | None
    deadline: dt.date | None
    paused: bool
    extended_days: int
    six_months: dt.date


class CaseSummary(Schema):
    id: uuid.UUID
    registrar_number: str
    service: str
    state: str
    resident_must_act: bool
    finished: bool
    applicant_kind: Literal["person", "company"]
    applicant: str
    applicant_name: str
    opened_at: dt.datetime
    deadline: dt.date | None
    assigned_to: str | None
    revision: int

    @staticmethod
    def of(case: Case) -> CaseSummary:
        return CaseSummary(
            id=case.public_id,
            registrar_number=case.registrar_number,
            service=case.service_code,
            state=case.state,
            resident_must_act=case.resident_must_act,
            finished=case.finished,
            applicant_kind=case.applicant_kind,  # type: ignore[arg-type]
            applicant=case.applicant_identifier,
            applicant_name=case.applicant_name,
            opened_at=case.opened_at,
            deadline=case.deadline,
            assigned_to=case.assigned_to.get_username() if case.assigned_to else None,
            revision=case.revision,
        )


class CasePage(Schema):
    items: list[CaseSummary]
    next_page: int | None


class DocumentOut(Schema):
    number: str
    sequence: int
    kind: str
    direction: Literal["in", "out"]
    registered_at: dt.datetime
    counterpart: str | None
    title: str | None
    secrecy_ground: str
    text: str

    @staticmethod
    def of(document: Document, case: Case, reader: queries.CaseReader) -> DocumentOut:
        """As registered (the title in Swedish); a secret one masked for a key not cleared
        for secrets (cases.disclosure)."""
        view = disclosure.shown(document, Reader.STAFF if reader.secret else Reader.UNCLEARED)
        return DocumentOut(
            number=f"{case.registrar_number}-{document.sequence}",
            sequence=document.sequence,
            kind=document.kind,
            direction=document.direction,  # type: ignore[arg-type]
            registered_at=document.registered_at,
            counterpart=None if view.masked else document.counterpart,
            title=None if view.masked else document.title,
            secrecy_ground=document.secrecy_ground,
            text=view.text,
        )


class EventOut(Schema):
    type: str
    occurred_at: dt.datetime
    actor: str
    resident_must_act: bool
    finished: bool
    state: str | None

    @staticmethod
    def of(event: CaseEvent) -> EventOut:
        return EventOut(
            type=event.event_type,
            occurred_at=event.occurred_at,
            actor=event.actor,
            resident_must_act=event.resident_must_act,
            finished=event.finished,
            state=event.data.get("state"),
        )


class CaseDetail(CaseSummary):
    version: str
    submitted_by: str
    secret: bool
    clock: ClockOut
    answers: dict[str, object]
    documents: list[DocumentOut]
    events: list[EventOut]
    transitions: list[str]


class CaseFilter(Schema):
    service: SafeText = ""
    state: SafeText = ""
    assigned: Literal["", "none"] = ""
    due: Literal["", "near", "late", "finished"] = ""
    registrar_number: SafeText = ""
    page: int = 1


class DocumentIn(Schema):
    direction: Literal["in", "out"]
    title: SafeText
    counterpart: SafeText = ""
    text: SafeText = ""
    secrecy_ground: SafeText | None = None


class TransitionIn(Schema):
    transition: SafeText
    revision: int
    message: SafeText = ""
    due_on: dt.date | None = None
    outcome: SafeText = ""
    reasons: SafeText = ""


class DiaryEntry(Schema):
    number: str
    registered_at: dt.datetime
    direction: Literal["in", "out"]
    secret: bool
    counterpart: str | None
    title: str | None
    secrecy_ground: str


class DiaryPage(Schema):
    items: list[DiaryEntry]
    next_page: int | None


# -- helpers -----------------------------------------------------------------------------


def _credential(request: HttpRequest, scope: str) -> ApiCredential:
    credential: ApiCredential = request.auth  # type: ignore[attr-defined]
    if scope not in credential.scopes:
        raise Problem(
            403,
            "missing-scope",
            f"The key lacks the scope {scope} / Nyckeln saknar behörigheten {scope}",
        )
    return credential


def _acting(credential: ApiCredential) -> actions.Staff:
    return actions.Staff(
        Actor("system", f"api:{credential.key_id}", credential.name),
        frozenset({credential.role, StepActor.SYSTEM}),
    )


def _case(credential: ApiCredential, case_id: uuid.UUID) -> Case:
    found = queries.case_for(queries.reader_for_key(credential), case_id)
    if found is None:
        raise Problem(404, "unknown-case", "No such case / Ärendet finns inte")
    return found


def _detail(case: Case, acting: actions.Staff, reader: queries.CaseReader) -> CaseDetail:
    timing = actions.clock_of(case)
    summary = CaseSummary.of(case)
    return CaseDetail(
        **summary.dict(),
        version=case.service_version.version,
        submitted_by=case.submitted_by,
        secret=case.secret,
        clock=ClockOut(
            law=timing.law,
            started_on=timing.started_on,
            deadline=timing.deadline,
            paused=timing.paused,
            extended_days=timing.extended_days,
            six_months=timing.six_months,
        ),
        answers=case.application.answers,
        documents=[DocumentOut.of(d, case, reader) for d in queries.documents_of(case)],
        events=[EventOut.of(e) for e in queries.events_of(case)],
        transitions=[t.id for t in actions.allowed_transitions(case, acting.roles)],
    )


def _invalid(error: ValidationError) -> Problem:
    return Problem(
        422,
        "invalid-input",
        "Some input is missing or invalid / Några uppgifter saknas eller är felaktiga",
        errors=field_errors(error, lambda key: f"/{key}" if key else ""),
    )


def _conflict(refused: actions.Refused) -> Problem:
    return Problem(
        409, refused.code.replace("_", "-"), english_and_swedish(lambda: refused.message)
    )


# -- cases --------------------------------------------------------------------------------


@router.get(
    "/cases",
    response=documented(200, CasePage, 401, 403, 422),
    auth=OrganisationKeyAuth(),
    operation_id="listCases",
)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> CasePage:
    """The organisation's cases, soonest deadline first, 50 a page."""
    credential = _credential(request, ApiCredential.Scope.CASES_READ)
    if filters.registrar_number:
        found = queries.case_by_number(
            queries.reader_for_key(credential), credential.organisation_id, filters.registrar_number
        )
        return CasePage(items=[CaseSummary.of(found)] if found else [], next_page=None)
    page = max(1, min(filters.page, 10000))
    cases, more = queries.queue(
        queries.reader_for_key(credential),
        credential.organisation_id,
        queries.QueueFilter(
            service=filters.service, state=filters.state, assigned=filters.assigned, due=filters.due
        ),
        user_id=None,
        page=page,
    )
    return CasePage(items=[CaseSummary.of(c) for c in cases], next_page=page + 1 if more else None)


@router.get(
    "/cases/{case_id}",
    response=documented(200, CaseDetail, 401, 403, 404, 422),
    auth=OrganisationKeyAuth(),
    operation_id="getCase",
)
def get_case(request: HttpRequest, case_id: uuid.UUID) -> CaseDetail:
    """One case with its answers, documents, events and clock."""
    credential = _credential(request, ApiCredential.Scope.CASES_READ)
    case = _case(credential, case_id)
    acting = _acting(credential)
    actions.record_access(staff=acting, case=case, purpose=ACCESS_PURPOSE)
    return _detail(case, acting, queries.reader_for_key(credential))


@router.post(
    "/cases/{case_id}/documents",
    response=documented(201, DocumentOut, 400, 401, 403, 404, 422),
    auth=OrganisationKeyAuth(),
    operation_id="addCaseDocument",
)
def add_document(request: HttpRequest, case_id: uuid.UUID, body: DocumentIn) -> Status[DocumentOut]:
    """Register a document that came or went another way (post, e-mail, another system)."""
    credential = _credential(request, ApiCredential.Scope.CASES_WRITE)
    case = _case(credential, case_id)
    try:
        document = actions.add_document(
            actor=_acting(credential).actor,
            case=case,
            direction=body.direction,
            title=body.title,
            counterpart=body.counterpart,
            text=body.text,
            secrecy_ground=body.secrecy_ground,
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, DocumentOut.of(document, case, queries.reader_for_key(credential)))


@router.post(
    "/cases/{case_id}/transitions",
    response=documented(200, CaseDetail, 400, 401, 403, 404, 409, 422),
    auth=OrganisationKeyAuth(),
    operation_id="moveCase",
)
def move_case(request: HttpRequest, case_id: uuid.UUID, body: TransitionIn) -> CaseDetail:
    """Take a step of the case's process. A step the process does not allow, or a
    stale revision, is 409 with the reason."""
    credential = _credential(request, ApiCredential.Scope.CASES_WRITE)
    case = _case(credential, case_id)
    try:
        actions.take(
            staff=_acting(credential),
            case=case,
            transition_id=body.transition,
            revision=body.revision,
            message=body.message,
            due_on=body.due_on,
            outcome=body.outcome,
            reasons=body.reasons,
        )
    except ValidationError as error:
        raise _invalid(error) from error
    except actions.Refused as refused:
        raise _conflict(refused) from refused
    return _detail(
        _case(credential, case_id), _acting(credential), queries.reader_for_key(credential)
    )


# -- the public diary ---------------------------------------------------------------------


@router.get(
    "/organisations/{slug}/diary",
    response=documented(200, DiaryPage, 404, 422),
    operation_id="getDiary",
    tags=["diary"],
)
def diary(request: HttpRequest, slug: str, registrar_number: str = "", page: int = 1) -> DiaryPage:
    """Registered documents, newest first; secret ones are listed with counterpart and
    title masked (OSL 5 kap.)."""
    organisation = core_queries.organisation_by_slug(slug)
    if organisation is None:
        raise Problem(
            404, "unknown-organisation", "No such organisation / Organisationen finns inte"
        )
    page = max(1, min(page, 10000))
    number = registrar_number.replace("\x00", "")[:20]
    documents, more = queries.diary(organisation.pk, number=number, page=page)
    return DiaryPage(
        items=[
            DiaryEntry(
                number=d.number,
                registered_at=d.registered_at,
                direction=d.direction,  # type: ignore[arg-type]
                secret=d.secret,
                counterpart=d.counterpart,
                title=d.title,
                secrecy_ground=d.secrecy_ground,
            )
            for d in disclosure.shown_all(documents, Reader.PUBLIC)
        ],
        next_page=page + 1 if more else None,
    )
