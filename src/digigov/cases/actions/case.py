"""What every change to an open case shares: the common path and its checks.

Every change locks the case row; the caller's revision must be the case's (two
case workers saving the same case: the later one is refused, nothing is
overwritten), the package's process must allow the step for the actor's role,
and the change, its event, its registered documents, the clock and the audit
row commit together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from digigov.cases import clocks, disclosure, storage, titles
from digigov.cases.actions.applications import event_type
from digigov.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseRequest,
    Document,
)
from digigov.core import clock
from digigov.core.actors import Actor
from digigov.identity.models import StaffMembership
from digigov.identity.roles import StepActor
from digigov.services import catalogue, presentation
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
    ground = disclosure.ground_for(case, secrecy_ground)
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


def _answer_kind(request: CaseRequest | None) -> str:
    if request is not None and request.kind == CaseRequest.Kind.COMMUNICATION:
        return Document.Kind.COMMENT
    return Document.Kind.COMPLETION


def _answer_title(request: CaseRequest | None) -> str:
    if request is not None and request.kind == CaseRequest.Kind.COMMUNICATION:
        return titles.REGISTERED[Document.Kind.COMMENT]
    return titles.REGISTERED[Document.Kind.COMPLETION]
