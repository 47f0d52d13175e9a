"""What staff and the applicant do with a case once it is open.

Every change goes through `_change`: the case row is locked, the caller's
revision must be the case's (two case workers saving the same case: the
later one is refused, nothing is overwritten), the package's process must
allow the step for the actor's role, and the change, its event, its
registered documents, the clock and the audit row commit together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from digigov.cases import clocks, decisions, storage
from digigov.cases.actions.applications import _safe_file_name, checked_file, event_type
from digigov.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseRequest,
    Decision,
    Document,
)
from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.models import AccessRecord
from digigov.identity import roles
from digigov.identity.models import StaffMembership
from digigov.identity.roles import StepActor
from digigov.services import catalogue, fees, presentation
from digigov.services.spec import ServicePackageSpec, State, Text, Transition

APPLICANT = StepActor.APPLICANT
ANSWER_FILE_TYPES = ["application/pdf", "image/png", "image/jpeg"]
ANSWER_FILE_MAX_MB = 20
ANSWER_MAX_FILES = 10
# Events that are not a move to a state of their own.
EVENT_NAMES = {
    "request_completion": "KOMPLETTERING_BEGARD",
    "communicate": "KOMMUNICERING",
    "decide": "BESLUT",
    "close": "AVSLUTAT",
}


class Refused(Exception):
    """The change cannot be made as the case stands now (the API answers 409).

    The message is rendered when read, so the API can give it in English and
    Swedish and a page in the reader's language.
    """

    def __init__(self, message: Any, code: str, params: dict[str, Any] | None = None) -> None:
        self.template = message
        self.code = code
        self.params = params or {}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = str(self.template)
        return text % {k: str(v) for k, v in self.params.items()} if self.params else text


def _label(text: Text) -> Any:
    """A package label in the language of whoever reads it."""
    return lazy(lambda: presentation.localised(text), str)()


@dataclass(frozen=True)
class Staff:
    """Who acts in one organisation, with their roles there: a staff member, or one
    of the organisation's own systems through an API credential (no user then)."""

    actor: Actor
    roles: frozenset[str]
    user: AbstractBaseUser | None = None


def staff_in(user: AbstractBaseUser, organisation_id: int) -> Staff:
    roles = StaffMembership.objects.filter(user_id=user.pk, organisation_id=organisation_id)
    full_name = getattr(user, "get_full_name", str)()
    return Staff(
        Actor.staff(user.get_username(), full_name),
        frozenset(roles.values_list("role", flat=True)),
        user,
    )


# -- the common path ----------------------------------------------------------


def _spec(case: Case) -> ServicePackageSpec:
    return catalogue.spec_of(case.service_version)


def _lock(case: Case, revision: int | None) -> Case:
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("organisation", "service_version")
        .defer("service_version__spec", "service_version__search_text")
        .get(pk=case.pk)
    )
    if revision is not None and locked.revision != revision:
        raise Refused(
            _(
                "Ärendet har ändrats av någon annan sedan du öppnade det. "
                "Läs in det på nytt och gör om ändringen."
            ),
            "stale",
        )
    return locked


def _next_sequence(case: Case) -> int:
    """The next document number in the case; the case row is locked by the caller."""
    last = Document.objects.filter(case=case).aggregate(last=Max("sequence"))["last"]
    return int(last or 0) + 1


def _register(
    case: Case,
    *,
    kind: str,
    direction: str,
    counterpart: str,
    title: str,
    text: str = "",
    attachment: Attachment | None = None,
    secrecy_ground: str | None = None,
    stored: storage.Stored | None = None,
    content_type: str = "",
) -> Document:
    spec = _spec(case)
    ground = (
        secrecy_ground
        if secrecy_ground is not None
        else (spec.process.secrecy.ground if spec.process.secrecy else "")
    )
    return Document.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        sequence=_next_sequence(case),
        kind=kind,
        registered_at=clock.now(),
        direction=direction,
        counterpart=counterpart,
        title=title[:300],
        text=text,
        secrecy_ground=ground,
        attachment=attachment,
        storage_name=stored.storage_name if stored else "",
        size=stored.size if stored else 0,
        sha256=stored.sha256 if stored else "",
        content_type=content_type,
    )


def _state(spec: ServicePackageSpec, state_id: str) -> State:
    return next(s for s in spec.process.states if s.id == state_id)


def _history(case: Case) -> list[clocks.Step]:
    events = CaseEvent.objects.filter(case=case).order_by("occurred_at", "pk")
    steps: list[clocks.Step] = []
    for occurred_at, data in events.values_list("occurred_at", "data"):
        if "state" in data and (not steps or steps[-1].state != data["state"]):
            steps.append(clocks.Step(clock.local_date(occurred_at), data["state"]))
    return steps


def clock_of(case: Case) -> clocks.ClockState:
    return clocks.compute(
        _spec(case).process.clock,
        _history(case) or [clocks.Step(clock.local_date(case.opened_at), case.state)],
        today=clock.today(),
        extended_days=case.extended_days,
    )


def _event(
    case: Case, spec: ServicePackageSpec, actor: Actor, name: str, data: dict[str, Any]
) -> CaseEvent:
    state = _state(spec, case.state)
    return CaseEvent.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        event_type=event_type(case, spec, name),
        occurred_at=clock.now(),
        actor=str(actor),
        resident_must_act=state.resident_must_act,
        finished=state.finished,
        data={"state": case.state, **data},
    )


def _save(case: Case, *fields: str) -> None:
    """Store the change with the clock it gives, and move the revision on."""
    timing = clock_of(case)
    case.clock_started_on = timing.started_on
    case.deadline = timing.sort_deadline
    case.clock_paused = timing.paused
    case.revision += 1
    case.save(
        update_fields=[
            *fields,
            "clock_started_on",
            "deadline",
            "clock_paused",
            "revision",
        ]
    )


def _move(case: Case, spec: ServicePackageSpec, target: str) -> None:
    state = _state(spec, target)
    case.state = state.id
    case.resident_must_act = state.resident_must_act
    case.finished = state.finished


def allowed_transitions(case: Case, roles: Iterable[str]) -> list[Transition]:
    """What these roles may do with the case as it stands."""
    held = set(roles)
    return [
        t
        for t in _spec(case).process.transitions
        if case.state in t.source and held.intersection(t.by)
    ]


def _transition(
    spec: ServicePackageSpec, case: Case, transition_id: str, roles: Iterable[str]
) -> Transition:
    found = next((t for t in spec.process.transitions if t.id == transition_id), None)
    if found is None:
        raise Refused(_("Steget finns inte i e-tjänstens process."), "unknown_transition")
    if case.state not in found.source:
        state = _state(spec, case.state)
        raise Refused(
            _("Steget ”%(step)s” går inte att ta när ärendet är ”%(state)s”."),
            "transition_not_allowed",
            {"step": _label(found.label), "state": _label(state.label)},
        )
    if not set(roles).intersection(found.by):
        raise Refused(
            _("Din roll får inte ta steget ”%(step)s”."),
            "role_not_allowed",
            {"step": _label(found.label)},
        )
    return found


# -- reading a case -------------------------------------------------------------


def record_access(*, staff: Staff, case: Case, purpose: str) -> None:
    """Staff opened a case: the applicant will see who (by role), when and why."""
    role = sorted(staff.roles)[0] if staff.roles else ""
    subjects = {case.applicant_identifier, case.submitted_by}
    AccessRecord.objects.bulk_create(
        AccessRecord(
            organisation_id=case.organisation_id,
            subject=subject,
            accessed_at=clock.now(),
            actor=str(staff.actor),
            actor_name=staff.actor.name[:200],
            actor_role=role,
            purpose=purpose,
            object_type="case",
            object_id=case.registrar_number,
        )
        for subject in subjects
        if len(subject) == 12  # people, not companies
    )


# -- staff actions ------------------------------------------------------------------


@transaction.atomic
def assign(*, staff: Staff, case: Case, to: AbstractBaseUser | None, revision: int) -> Case:
    locked = _lock(case, revision)
    if (
        to is not None
        and not StaffMembership.objects.filter(
            user_id=to.pk,
            organisation_id=locked.organisation_id,
            role=StaffMembership.Role.CASE_WORKER,
        ).exists()
    ):
        raise ValidationError(
            {"assigned_to": [_("Välj en handläggare i organisationen.")]}, code="not_case_worker"
        )
    if not staff.roles.intersection(roles.CASE_HANDLING):
        raise Refused(_("Din roll får inte fördela ärenden."), "role_not_allowed")
    locked.assigned_to = to  # type: ignore[assignment]
    _save(locked, "assigned_to")
    audit.record(
        actor=staff.actor,
        action="case.assigned",
        organisation=locked.organisation,
        object_type="case",
        object_id=locked.registrar_number,
        data={"to": to.get_username() if to else ""},
    )
    return locked


def _future_date(value: dt.date | None, field: str) -> dt.date:
    if value is None:
        raise ValidationError({field: [_("Ange ett datum.")]}, code="required")
    if value <= clock.today():
        raise ValidationError({field: [_("Datumet måste vara efter i dag.")]}, code="past")
    if value > clock.today() + dt.timedelta(days=366):
        raise ValidationError({field: [_("Datumet får vara högst ett år fram.")]}, code="far")
    return value


def _required_text(value: str, field: str, message: Any) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError({field: [message]}, code="required")
    if len(cleaned) > 20000:
        raise ValidationError({field: [_("Texten är för lång.")]}, code="too_long")
    if "\x00" in cleaned:
        raise ValidationError({field: [_("Texten innehåller otillåtna tecken.")]}, code="invalid")
    return cleaned


def take(
    *,
    staff: Staff,
    case: Case,
    transition_id: str,
    revision: int,
    message: str = "",
    due_on: dt.date | None = None,
    outcome: str = "",
    reasons: str = "",
    language: str = "sv",
) -> Case:
    """Take a step of the package's process; what else it does depends on its `does`."""
    made: list[str] = []  # files written for the step, removed again if it fails
    try:
        return _take(
            staff, case, transition_id, revision, message, due_on, outcome, reasons, language, made
        )
    except BaseException:
        for storage_name in made:
            storage.remove(storage_name)
        raise


@transaction.atomic
def _take(
    staff: Staff,
    case: Case,
    transition_id: str,
    revision: int,
    message: str,
    due_on: dt.date | None,
    outcome: str,
    reasons: str,
    language: str,
    made: list[str],
) -> Case:
    locked = _lock(case, revision)
    spec = _spec(locked)
    transition = _transition(spec, locked, transition_id, staff.roles)
    handlers: dict[str, Callable[[], dict[str, Any]]] = {
        "move": lambda: {},
        "close": lambda: _close(locked),
        "request_completion": lambda: _request(
            staff, locked, CaseRequest.Kind.COMPLETION, message, due_on
        ),
        "communicate": lambda: _request(
            staff, locked, CaseRequest.Kind.COMMUNICATION, message, due_on
        ),
        "answer": lambda: _answer_on_paper(staff, locked, message),
        "decide": lambda: _decide(staff, locked, spec, outcome, reasons, language, made),
    }
    data = handlers[transition.does]()
    _move(locked, spec, transition.target)
    name = EVENT_NAMES.get(transition.does, transition.target.upper())
    _event(locked, spec, staff.actor, name, {"transition": transition.id, **data})
    _save(locked, "state", "resident_must_act", "finished", "decided_at", "closed_at")
    audit.record(
        actor=staff.actor,
        action=f"case.{transition.does}",
        organisation=locked.organisation,
        object_type="case",
        object_id=locked.registrar_number,
        data={"transition": transition.id, "to": transition.target, **data},
    )
    return locked


def _close(case: Case) -> dict[str, Any]:
    case.closed_at = clock.now()
    return {}


def _request(
    staff: Staff, case: Case, kind: str, message: str, due_on: dt.date | None
) -> dict[str, Any]:
    text = _required_text(message, "message", _("Skriv vad den sökande behöver göra."))
    due = _future_date(due_on, "due_on")
    if CaseRequest.objects.filter(case=case, answered_at__isnull=True).exists():
        raise Refused(_("Ärendet har redan en obesvarad begäran."), "request_open")
    completion = kind == CaseRequest.Kind.COMPLETION
    document = _register(
        case,
        kind=Document.Kind.COMPLETION_REQUEST if completion else Document.Kind.COMMUNICATION,
        direction=Document.Direction.OUTGOING,
        counterpart=case.applicant_name,
        # The registrar is kept in Swedish, whatever language the case worker reads.
        title="Begäran om komplettering" if completion else "Kommunicering inför beslut",
        text=text,
    )
    request = CaseRequest.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        kind=kind,
        message=text,
        due_on=due,
        sent_at=clock.now(),
        sent_by=str(staff.actor),
        document=document,
    )
    return {"request": request.pk, "due_on": due.isoformat(), "document": document.sequence}


def _answer_on_paper(staff: Staff, case: Case, message: str) -> dict[str, Any]:
    """The answer came another way (post, a visit): staff register it and move on."""
    text = _required_text(message, "message", _("Skriv vad som kom in och hur."))
    request = CaseRequest.objects.filter(case=case, answered_at__isnull=True).first()
    document = _register(
        case,
        kind=_answer_kind(request),
        direction=Document.Direction.INCOMING,
        counterpart=case.applicant_name,
        title=_answer_title(request),
        text=text,
    )
    if request is not None:
        request.answered_at = clock.now()
        request.answer = document
        request.save(update_fields=["answered_at", "answer"])
    return {"document": document.sequence}


def _answer_kind(request: CaseRequest | None) -> str:
    if request is not None and request.kind == CaseRequest.Kind.COMMUNICATION:
        return Document.Kind.COMMENT
    return Document.Kind.COMPLETION


def _answer_title(request: CaseRequest | None) -> str:
    if request is not None and request.kind == CaseRequest.Kind.COMMUNICATION:
        return "Yttrande"
    return "Komplettering"


def _decide(
    staff: Staff,
    case: Case,
    spec: ServicePackageSpec,
    outcome_id: str,
    reasons: str,
    language: str,
    made: list[str],
) -> dict[str, Any]:
    outcome = next((o for o in spec.process.decisions.outcomes if o.id == outcome_id), None)
    if outcome is None:
        raise ValidationError({"outcome": [_("Välj ett utfall.")]}, code="required")
    # FL 32 §: a decision that may affect someone states its reasons.
    why = _required_text(reasons, "reasons", _("Skriv skälen för beslutet."))
    now = clock.now()
    timing = clock_of(case)
    days_late = (clock.local_date(now) - timing.deadline).days if timing.deadline is not None else 0
    fee = fee_before = None
    if spec.process.fee is not None and outcome.charges_fee:
        answers = case.application.answers
        fee_before = fees.base_fee(spec.process.fee, answers)
        fee = fees.fee_at_decision(spec.process.fee, answers, days_late=days_late)
    appeal = spec.process.decisions.appeal
    decision = Decision(
        organisation_id=case.organisation_id,
        case=case,
        outcome=outcome.id,
        outcome_label_sv=outcome.label.sv,
        outcome_label_en=outcome.label.en,
        outcome_text_sv=outcome.text.sv,
        outcome_text_en=outcome.text.en,
        reasons=why,
        appeal_text_sv=appeal.text.sv,
        appeal_text_en=appeal.text.en,
        appeal_within_days=clocks.duration_days(clock.local_date(now), appeal.within),
        decided_at=now,
        decided_by=str(staff.actor),
        decided_by_name=staff.actor.name or staff.actor.identifier,
        fee=fee,
        fee_before_reduction=fee_before,
        weeks_late=fees.started_weeks_late(days_late) if fee is not None else 0,
    )
    pdf = decisions.decision_pdf(case, spec, decision, language=language)
    stored = storage.store(
        [pdf], organisation_id=case.organisation_id, content_type="application/pdf"
    )
    made.append(stored.storage_name)
    decision.document = _register(
        case,
        kind=Document.Kind.DECISION,
        direction=Document.Direction.OUTGOING,
        counterpart=case.applicant_name,
        title=f"Beslut: {outcome.label.sv}",
        text=why,
        stored=stored,
        content_type="application/pdf",
    )
    decision.save(force_insert=True)
    case.decided_at = now
    return {
        "outcome": outcome.id,
        "document": decision.document.sequence,
        "fee": str(fee) if fee is not None else None,
        "weeks_late": decision.weeks_late,
    }


def extension_refusal(staff: Staff, case: Case) -> Refused | None:
    """May this staff member extend the case's statutory time now? The one rule, for the
    action and for the page that offers it: a case worker, a package that allows it, an
    open case, and fewer extensions so far than the package allows (PBL 9:27: once)."""
    rules = _spec(case).process.clock
    if roles.Role.CASE_WORKER not in staff.roles:
        return Refused(_("Din roll får inte förlänga handläggningstiden."), "role_not_allowed")
    if rules is None or rules.extension is None:
        return Refused(
            _("Handläggningstiden i den här e-tjänsten kan inte förlängas."), "no_extension"
        )
    if case.finished:
        return Refused(_("Ärendet är redan avgjort."), "finished")
    used = CaseEvent.objects.filter(case=case, data__extension_days__isnull=False).count()
    if used >= rules.extension.times:
        return Refused(_("Handläggningstiden har redan förlängts."), "extension_used")
    return None


@transaction.atomic
def extend_deadline(*, staff: Staff, case: Case, days: int, reason: str, revision: int) -> Case:
    """One extension of the statutory time, with a reason the applicant is told (PBL 9:27)."""
    locked = _lock(case, revision)
    spec = _spec(locked)
    refusal = extension_refusal(staff, locked)
    if refusal is not None:
        raise refusal
    rules = spec.process.clock
    assert rules is not None and rules.extension is not None  # extension_refusal checked
    longest = clocks.duration_days(clock.today(), rules.extension.max)
    if not 1 <= days <= longest:
        raise ValidationError(
            {
                "days": [
                    ValidationError(
                        _("Förlängningen får vara 1–%(days)s dagar."), params={"days": longest}
                    )
                ]
            },
            code="extension_length",
        )
    why = _required_text(reason, "reason", _("Skriv varför tiden behöver förlängas."))
    before = clock_of(locked).deadline
    locked.extended_days += days
    locked.extension_reason = why
    document = _register(
        locked,
        kind=Document.Kind.EXTENSION,
        direction=Document.Direction.OUTGOING,
        counterpart=locked.applicant_name,
        title="Underrättelse om förlängd handläggningstid",
        text=why,
    )
    _save(locked, "extended_days", "extension_reason")
    _event(
        locked,
        spec,
        staff.actor,
        "HANDLAGGNINGSTID_FORLANGD",
        {
            "extension_days": days,
            "reason": why,
            "deadline": locked.deadline.isoformat() if locked.deadline else None,
            "previous_deadline": before.isoformat() if before else None,
            "document": document.sequence,
        },
    )
    audit.record(
        actor=staff.actor,
        action="case.extended",
        organisation=locked.organisation,
        object_type="case",
        object_id=locked.registrar_number,
        data={"days": days},
    )
    return locked


# -- the applicant ---------------------------------------------------------------------


def answer_request(
    *,
    actor: Actor,
    case: Case,
    text: str,
    files: Sequence[tuple[str, Iterable[bytes]]],
) -> Case:
    """The applicant answers the open request in the portal, with text and files."""
    if not (text or "").strip() and not files:
        raise ValidationError({"text": [_("Skriv ett svar eller bifoga en fil.")]}, code="required")
    if len(files) > ANSWER_MAX_FILES:
        raise ValidationError(
            {
                "attachments": [
                    ValidationError(
                        _("Du kan bifoga högst %(count)s filer."),
                        params={"count": ANSWER_MAX_FILES},
                    )
                ]
            },
            code="file_count",
        )
    stored: list[tuple[str, str, storage.Stored]] = []
    try:
        for name, chunks in files:
            content_type, kept = checked_file(
                chunks,
                accept=ANSWER_FILE_TYPES,
                max_size_mb=ANSWER_FILE_MAX_MB,
                organisation_id=case.organisation_id,
            )
            stored.append((name, content_type, kept))
        return _record_answer(actor, case, (text or "").strip(), stored)
    except BaseException:
        for _name, _type, kept in stored:
            storage.remove(kept.storage_name)
        raise


@transaction.atomic
def _record_answer(
    actor: Actor, case: Case, text: str, files: list[tuple[str, str, storage.Stored]]
) -> Case:
    locked = _lock(case, None)
    spec = _spec(locked)
    if locked.finished:
        raise Refused(
            _("Ärendet är avgjort, så svaret kan inte längre tas emot här. Kontakta oss."),
            "finished",
        )
    request = CaseRequest.objects.filter(case=locked, answered_at__isnull=True).first()
    transition = next(
        (
            t
            for t in spec.process.transitions
            if t.does == "answer" and locked.state in t.source and APPLICANT in t.by
        ),
        None,
    )
    if request is None or transition is None:
        raise Refused(_("Det finns ingen begäran att svara på i ärendet."), "no_request")
    now = clock.now()
    document = _register(
        locked,
        kind=_answer_kind(request),
        direction=Document.Direction.INCOMING,
        counterpart=locked.applicant_name,
        title=_answer_title(request),
        text=text,
    )
    for name, content_type, kept in files:
        attachment = Attachment.objects.create(
            organisation_id=locked.organisation_id,
            application_id=locked.application_id,
            field_id=f"svar_{request.pk}",
            file_name=_safe_file_name(name, content_type),
            content_type=content_type,
            size=kept.size,
            sha256=kept.sha256,
            storage_name=kept.storage_name,
            uploaded_at=now,
        )
        _register(
            locked,
            kind=Document.Kind.ATTACHMENT,
            direction=Document.Direction.INCOMING,
            counterpart=locked.applicant_name,
            title=f"{_answer_title(request)}: {attachment.file_name}",
            attachment=attachment,
        )
    request.answered_at = now
    request.answer = document
    request.save(update_fields=["answered_at", "answer"])
    _move(locked, spec, transition.target)
    _event(
        locked,
        spec,
        actor,
        "KOMPLETTERING_INKOMMEN"
        if request.kind == CaseRequest.Kind.COMPLETION
        else "YTTRANDE_INKOMMET",
        {"transition": transition.id, "document": document.sequence, "files": len(files)},
    )
    _save(locked, "state", "resident_must_act", "finished")
    audit.record(
        actor=actor,
        action="case.answered",
        organisation=locked.organisation,
        on_behalf_of=locked.applicant_identifier
        if locked.applicant_identifier != actor.identifier
        else "",
        object_type="case",
        object_id=locked.registrar_number,
        data={"request": request.pk, "files": len(files)},
    )
    return locked


# -- from an organisation's own systems ----------------------------------------------


def add_document(
    *,
    actor: Actor,
    case: Case,
    direction: str,
    title: str,
    counterpart: str,
    text: str = "",
    secrecy_ground: str | None = None,
) -> Document:
    """Register a document that came or went another way (the API)."""
    if direction not in Document.Direction.values:
        raise ValidationError({"direction": [_("Ange in eller out.")]}, code="invalid")
    cleaned_title = _required_text(title, "title", _("Ange en rubrik."))
    return _add_document(actor, case, direction, cleaned_title, counterpart, text, secrecy_ground)


@transaction.atomic
def _add_document(
    actor: Actor,
    case: Case,
    direction: str,
    title: str,
    counterpart: str,
    text: str,
    secrecy_ground: str | None,
) -> Document:
    locked = _lock(case, None)
    document = _register(
        locked,
        kind=Document.Kind.DOCUMENT,
        direction=direction,
        counterpart=(counterpart or locked.applicant_name)[:300],
        title=title,
        text=text,
        secrecy_ground=secrecy_ground,
    )
    locked.revision += 1
    locked.save(update_fields=["revision"])
    audit.record(
        actor=actor,
        action="case.document_added",
        organisation=locked.organisation,
        object_type="case",
        object_id=locked.registrar_number,
        data={"document": document.sequence, "direction": direction},
    )
    return document
