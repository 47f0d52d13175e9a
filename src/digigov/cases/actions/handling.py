"""What staff do with an open case: open it, assign it, take the process's steps
(one named action each; `take` picks the one a step's `does` names), extend its
time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digigov.cases import clocks, decisions, signing, storage, titles
from digigov.cases.actions.case import (
    EVENT_NAMES,
    Refused,
    Staff,
    _answer_kind,
    _answer_title,
    _event,
    _future_date,
    _lock,
    _move,
    _register,
    _required_text,
    _save,
    _spec,
    _transition,
    clock_of,
)
from digigov.cases.actions.telling import tell_applicant
from digigov.cases.models import (
    Case,
    CaseEvent,
    CaseRequest,
    Decision,
    Document,
)
from digigov.core import actions as core_actions
from digigov.core import audit, clock
from digigov.core.transactions import action, outermost
from digigov.identity import queries as identity_queries
from digigov.identity import roles
from digigov.identity.models import Signature, StaffMembership
from digigov.identity.signing import ToSign
from digigov.services import fees
from digigov.services.spec import Outcome, ServicePackageSpec

# -- reading a case -------------------------------------------------------------


def record_access(*, staff: Staff, case: Case, purpose: str) -> None:
    """Staff opened a case: the applicant will see who (by role), when and why."""
    core_actions.record_access(
        organisation=case.organisation,
        subjects={case.applicant_identifier, case.submitted_by},
        actor=staff.actor,
        role=sorted(staff.roles)[0] if staff.roles else "",
        purpose=purpose,
        object_type="case",
        object_id=case.registrar_number or "",
    )


# -- staff actions ------------------------------------------------------------------


@action
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


class _At(TypedDict):
    """Where a step is taken: by whom, on which case, which step, at which revision."""

    staff: Staff
    case: Case
    transition_id: str
    revision: int


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
    """Take a step of the package's process: the action its `does` names, given what
    that action needs (a page or the API sends one form for every step)."""
    does = _transition(_spec(case), case, transition_id, staff.roles).does
    at = _At(staff=staff, case=case, transition_id=transition_id, revision=revision)
    steps: dict[str, Callable[[], Case]] = {
        "move": lambda: move_case(**at),
        "close": lambda: close_case(**at),
        "request_completion": lambda: request_completion(**at, message=message, due_on=due_on),
        "communicate": lambda: communicate(**at, message=message, due_on=due_on),
        "answer": lambda: register_answer(**at, message=message),
        "decide": lambda: decide_case(**at, outcome=outcome, reasons=reasons, language=language),
    }
    return steps[does]()


def _step(
    staff: Staff,
    case: Case,
    transition_id: str,
    revision: int,
    does: str,
    work: Callable[[Case, ServicePackageSpec], dict[str, Any]],
) -> Case:
    """The path every step shares, in one transaction: lock the case at the caller's
    revision, check the process allows this step to this role, do the step's `work`,
    move the case, record its event and write the audit row."""
    with outermost():
        locked = _lock(case, revision)
        spec = _spec(locked)
        transition = _transition(spec, locked, transition_id, staff.roles)
        if transition.does != does:
            raise Refused(_("Det steget gör något annat."), "wrong_step")
        data = work(locked, spec)
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


def move_case(*, staff: Staff, case: Case, transition_id: str, revision: int) -> Case:
    """A step that only moves the case (start handling, say)."""
    return _step(staff, case, transition_id, revision, "move", lambda locked, spec: {})


def close_case(*, staff: Staff, case: Case, transition_id: str, revision: int) -> Case:
    """Close the decided case."""

    def close(locked: Case, spec: ServicePackageSpec) -> dict[str, Any]:
        locked.closed_at = clock.now()
        return {}

    return _step(staff, case, transition_id, revision, "close", close)


def request_completion(
    *,
    staff: Staff,
    case: Case,
    transition_id: str,
    revision: int,
    message: str,
    due_on: dt.date | None,
) -> Case:
    """Ask the applicant to complete the application by a date (PBL 9:22, FL 22 §)."""
    return _step(
        staff,
        case,
        transition_id,
        revision,
        "request_completion",
        lambda locked, spec: _request(staff, locked, CaseRequest.Kind.COMPLETION, message, due_on),
    )


def communicate(
    *,
    staff: Staff,
    case: Case,
    transition_id: str,
    revision: int,
    message: str,
    due_on: dt.date | None,
) -> Case:
    """Kommunicering (FL 25 §): the applicant may comment on the material by a date."""
    return _step(
        staff,
        case,
        transition_id,
        revision,
        "communicate",
        lambda locked, spec: _request(
            staff, locked, CaseRequest.Kind.COMMUNICATION, message, due_on
        ),
    )


def register_answer(
    *, staff: Staff, case: Case, transition_id: str, revision: int, message: str
) -> Case:
    """The answer to the open request came another way (post, a visit): staff register
    it and the case moves on."""
    return _step(
        staff,
        case,
        transition_id,
        revision,
        "answer",
        lambda locked, spec: _answer_on_paper(locked, message),
    )


def decide_case(
    *,
    staff: Staff,
    case: Case,
    transition_id: str,
    revision: int,
    outcome: str,
    reasons: str,
    language: str = "sv",
) -> Case:
    """Decide: the outcome, its reasons (FL 32 §), the fee and how to appeal, as a
    registered PDF/A decision. The PDF is removed again if the step fails."""
    made: list[str] = []
    try:
        return _step(
            staff,
            case,
            transition_id,
            revision,
            "decide",
            lambda locked, spec: _decide(staff, locked, spec, outcome, reasons, language, made),
        )
    except BaseException:
        for storage_name in made:
            storage.remove(storage_name)
        raise


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
        title=titles.REGISTERED[
            Document.Kind.COMPLETION_REQUEST if completion else Document.Kind.COMMUNICATION
        ],
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
    # the applicant is told (FL 22 §, 25 §): in their inbox, and later by notice
    tell_applicant(
        staff.actor,
        case,
        "case.completion_requested" if completion else "case.communication",
        message=text,
        due_on=due.isoformat(),
    )
    return {"request": request.pk, "due_on": due.isoformat(), "document": document.sequence}


def _answer_on_paper(case: Case, message: str) -> dict[str, Any]:
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


@dataclass(frozen=True)
class DecisionTerms:
    """What a decision taken now would say: checked, and shown before it is taken."""

    outcome: Outcome
    reasons: str
    fee: Decimal | None
    fee_before_reduction: Decimal | None
    days_late: int


def decision_terms(case: Case, outcome_id: str, reasons: str) -> DecisionTerms:
    """The outcome, the reasons (FL 32 §: a decision that may affect someone states
    them), and the fee at today's date, as the decision would have them; the page that
    confirms a decision shows these, and the decision is made of them."""
    spec = _spec(case)
    outcome = next((o for o in spec.process.decisions.outcomes if o.id == outcome_id), None)
    if outcome is None:
        raise ValidationError({"outcome": [_("Välj ett utfall.")]}, code="required")
    why = _required_text(reasons, "reasons", _("Skriv skälen för beslutet."))
    timing = clock_of(case)
    today = clock.local_date(clock.now())
    days_late = (today - timing.deadline).days if timing.deadline is not None else 0
    fee = fee_before = None
    if spec.process.fee is not None and outcome.charges_fee:
        answers = case.application.answers
        fee_before = fees.base_fee(spec.process.fee, answers)
        fee = fees.fee_at_decision(spec.process.fee, answers, days_late=days_late)
    return DecisionTerms(outcome, why, fee, fee_before, days_late)


def terms_to_sign(case: Case, terms: DecisionTerms) -> ToSign:
    """What the case worker signs to take this decision (a package with `signing.decisions`)."""
    return signing.decision_to_sign(
        case, terms.outcome.label.sv, terms.outcome.id, terms.reasons, terms.fee
    )


def decision_signer(staff: Staff) -> str | None:
    """Whose e-ID signs a decision this staff member takes: their account's e-ID."""
    return identity_queries.eid_number_of(staff.user)


def _decision_signature(staff: Staff, case: Case, terms: DecisionTerms) -> Signature:
    if staff.user is None:  # a system's API key
        raise Refused(
            _(
                "Beslut i den här e-tjänsten skrivs under med e-legitimation av en "
                "handläggare och kan inte fattas genom API:et."
            ),
            "decision_signed_by_person",
        )
    number = decision_signer(staff)
    if number is None:
        raise Refused(
            _(
                "Beslut i den här e-tjänsten skrivs under med e-legitimation, och ditt "
                "personalkonto är inte kopplat till någon. Be en administratör koppla det."
            ),
            "no_staff_eid",
        )
    found = signing.decision_signature(case, terms_to_sign(case, terms), number)
    if found is None:
        raise Refused(
            _("Beslutet behöver skrivas under med e-legitimation innan det fattas."),
            "signature_required",
        )
    return found


def _decide(
    staff: Staff,
    case: Case,
    spec: ServicePackageSpec,
    outcome_id: str,
    reasons: str,
    language: str,
    made: list[str],
) -> dict[str, Any]:
    terms = decision_terms(case, outcome_id, reasons)
    outcome, why, fee, fee_before, days_late = (
        terms.outcome,
        terms.reasons,
        terms.fee,
        terms.fee_before_reduction,
        terms.days_late,
    )
    signature = _decision_signature(staff, case, terms) if spec.signing.decisions else None
    now = clock.now()
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
        signature=signature,
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
    tell_applicant(
        staff.actor, case, "case.decided", outcome_sv=outcome.label.sv, outcome_en=outcome.label.en
    )
    return {
        "outcome": outcome.id,
        "document": decision.document.sequence,
        "fee": str(fee) if fee is not None else None,
        "weeks_late": decision.weeks_late,
        **({"signed": signature.digest, "signature": signature.pk} if signature else {}),
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


@action
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
        title=titles.REGISTERED[Document.Kind.EXTENSION],
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
    tell_applicant(
        staff.actor,
        locked,
        "case.deadline_extended",
        days=days,
        deadline=locked.deadline.isoformat() if locked.deadline else "",
        reason=why,
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
