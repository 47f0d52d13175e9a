"""Reads of applications and cases, always for the person asking.

A person sees the applications and cases they submit or that are made for
them, each listed (`within`) and opened (`assured`) only at its service's
level of assurance; staff and organisations' keys read the cases a
`CaseReader` may (`readable`); anyone else gets None, which the pages and the
API turn into 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from digigov.cases import clocks
from digigov.cases.models import (
    Application,
    Attachment,
    Case,
    CaseEvent,
    CaseRequest,
    Decision,
    Document,
)
from digigov.core import clock
from digigov.identity import loa as levels
from digigov.identity.models import ApiCredential, StaffMembership
from digigov.services import catalogue

LARGE_VERSION_FIELDS = ("service_version__spec", "service_version__search_text")


def _parse(public_id: str | uuid.UUID) -> uuid.UUID | None:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None


def within(loa: str) -> Q:
    """What a sign-in at `loa` may see listed: applications or cases of services whose level
    it meets. The rest is not listed until the person signs in again at that level
    (`assured` is the same rule for one object)."""
    return Q(service_version__spec__loa__in=levels.met_by(loa))


def needed(loa: str, *listed: QuerySet[Any]) -> str | None:
    """The level to sign in at to see all of `listed` when a sign-in at `loa` may not (the
    highest its hidden ones need); None when it sees them all."""
    hidden = {
        str(level)
        for found in listed
        for level in found.exclude(within(loa))
        .values_list("service_version__spec__loa", flat=True)
        .distinct()
    }
    return max(hidden, key=levels.level) if hidden else None


def applications_of(person: str) -> QuerySet[Application]:
    """Everything this person has started or submitted, or that is made in their name
    (list them `within` the person's level)."""
    return (
        Application.objects.filter(Q(submitted_by=person) | Q(applicant_identifier=person))
        .select_related("service_version", "organisation")
        # The package itself is parsed once per process (catalogue.spec_of).
        .defer(*LARGE_VERSION_FIELDS)
        .order_by("-updated_at")
    )


def drafts_of(person: str) -> QuerySet[Application]:
    return applications_of(person).filter(status=Application.Status.DRAFT, submitted_by=person)


_Served = TypeVar("_Served", bound=Application | Case | Attachment)


def assured(found: _Served | None, loa: str) -> _Served | None:
    """`found` (an application, a case or a file of one), when a sign-in at `loa` may open it:
    its service's level of assurance gates every read and write of it, not only submission.
    Raises identity.loa.StepUp (sign in again at the required level) otherwise."""
    if found is not None:
        application = found.application if isinstance(found, Attachment) else found
        levels.require(loa, catalogue.spec_of(application.service_version).loa)
    return found


def application_for(person: str, public_id: str | uuid.UUID, *, loa: str) -> Application | None:
    parsed = _parse(public_id)
    if parsed is None:
        return None
    return assured(applications_of(person).filter(public_id=parsed).first(), loa)


def submitted_by_id(person: str, public_id: str | uuid.UUID) -> int | None:
    """The id of an application this person submits (or submitted), without loading it."""
    parsed = _parse(public_id)
    if parsed is None:
        return None
    found: int | None = (
        Application.objects.filter(public_id=parsed, submitted_by=person)
        .values_list("pk", flat=True)
        .first()
    )
    return found


def draft_for(person: str, public_id: str | uuid.UUID, *, loa: str) -> Application | None:
    """Only the person who started a draft may change it."""
    parsed = _parse(public_id)
    if parsed is None:
        return None
    return assured(drafts_of(person).filter(public_id=parsed).first(), loa)


def draft_to_sign(person: str, public_id: str | uuid.UUID, *, loa: str) -> Application | None:
    """A draft the person may sign: their own, or one a company's other signatory filled in
    and asked them to sign with (cases.CoSigner)."""
    parsed = _parse(public_id)
    if parsed is None:
        return None
    found = (
        Application.objects.filter(public_id=parsed, status=Application.Status.DRAFT)
        .filter(Q(submitted_by=person) | Q(cosigners__personal_identity_number=person))
        .select_related("service_version", "organisation")
        .defer(*LARGE_VERSION_FIELDS, "signing_document")
        .distinct()
        .first()
    )
    return assured(found, loa)


def awaiting_signature_of(person: str) -> QuerySet[Application]:
    """Drafts a company's other signatory filled in and asked this person to sign."""
    return (
        Application.objects.filter(
            status=Application.Status.DRAFT,
            cosigners__personal_identity_number=person,
        )
        .exclude(signing_digest="")
        .select_related("service_version", "organisation")
        .defer(*LARGE_VERSION_FIELDS, "signing_document")
        .order_by("-updated_at")
    )


def attachment_for(person: str, public_id: str | uuid.UUID, *, loa: str) -> Attachment | None:
    parsed = _parse(public_id)
    if parsed is None:
        return None
    found = (
        Attachment.objects.filter(public_id=parsed)
        .filter(
            Q(application__submitted_by=person)
            | Q(application__applicant_identifier=person)
            # a company's other signatory, asked to sign the draft that lists it
            | (
                Q(application__cosigners__personal_identity_number=person)
                & Q(application__status=Application.Status.DRAFT)
                & ~Q(application__signing_digest="")
            )
        )
        .distinct()
        .select_related("application__service_version")
        .first()
    )
    return assured(found, loa)


def attachments_of(application: Application) -> QuerySet[Attachment]:
    return Attachment.objects.filter(application=application).order_by("uploaded_at")


def case_of(application: Application) -> Case | None:
    return Case.objects.filter(application=application).first()


# -- cases, for staff --------------------------------------------------------------

QUEUE_PAGE = 50


# The roles that handle cases; a service administrator adapts services but
# does not read cases (which may be secret, as economic aid is).
CASE_ROLES = (StaffMembership.Role.CASE_WORKER, StaffMembership.Role.REGISTRAR)


def staff_organisation_ids(user: AbstractBaseUser) -> list[int]:
    """The organisations whose cases this staff member handles."""
    return list(
        StaffMembership.objects.filter(user_id=user.pk, role__in=CASE_ROLES)
        .values_list("organisation_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class CaseReader:
    """Who reads cases, and which: the organisations, the services (all when empty) and
    whether secret cases too. Staff and organisations' API keys read through this alone."""

    organisation_ids: tuple[int, ...]
    services: tuple[str, ...] = ()
    secret: bool = True


def reader_for_staff(user: AbstractBaseUser) -> CaseReader:
    """Staff read the cases of the organisations where they handle cases, secret or not."""
    return CaseReader(tuple(staff_organisation_ids(user)))


def reader_for_key(credential: ApiCredential) -> CaseReader:
    """A key reads as staff of its role at its organisation would (an administrator's key
    reads no cases), narrowed to its services, and secret cases only when granted."""
    handles = credential.role in CASE_ROLES
    return CaseReader(
        (credential.organisation_id,) if handles else (),
        tuple(credential.services),
        credential.secret_cases,
    )


def readable(reader: CaseReader) -> QuerySet[Case]:
    """Every case `reader` may read."""
    found = _cases().filter(organisation_id__in=reader.organisation_ids)
    if reader.services:
        found = found.filter(service_code__in=reader.services)
    if not reader.secret:
        found = found.filter(secret=False)
    return found


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related("organisation", "service_version", "assigned_to").defer(
        *LARGE_VERSION_FIELDS
    )


def case_for(reader: CaseReader, public_id: str | uuid.UUID) -> Case | None:
    """A case `reader` may read; None for any other (and for no case at all)."""
    parsed = _parse(public_id)
    if parsed is None:
        return None
    return readable(reader).select_related("application").filter(public_id=parsed).first()


def case_for_staff(user: AbstractBaseUser, public_id: str | uuid.UUID) -> Case | None:
    return case_for(reader_for_staff(user), public_id)


def case_by_number(reader: CaseReader, organisation_id: int, registrar_number: str) -> Case | None:
    return (
        readable(reader)
        .filter(organisation_id=organisation_id, registrar_number=registrar_number.strip())
        .first()
    )


@dataclass(frozen=True)
class QueueFilter:
    service: str = ""
    state: str = ""
    # "" anyone, "none" nobody, "me" the asker, or a user id
    assigned: str = ""
    # "" all open, "late", "near" (within clocks.WARN_DAYS), "finished"
    due: str = ""


def queue(
    reader: CaseReader,
    organisation_id: int,
    filters: QueueFilter,
    *,
    user_id: int | None,
    page: int = 1,
) -> tuple[list[Case], bool]:
    """One page of an organisation's cases, soonest deadline first, and whether more follow.

    No total count: counting a million rows for every page view costs more
    than the page itself; the queue pages by "next" and "previous".
    """
    found = readable(reader).filter(organisation_id=organisation_id)
    today = clock.today()
    if filters.due == "finished":
        found = found.filter(finished=True)
    else:
        found = found.filter(finished=False)
        if filters.due == "late":
            found = found.filter(deadline__lt=today, clock_paused=False)
        elif filters.due == "near":
            found = found.filter(
                deadline__gte=today,
                deadline__lte=today + dt.timedelta(days=clocks.WARN_DAYS),
                clock_paused=False,
            )
    if filters.service:
        found = found.filter(service_code=filters.service)
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.assigned == "none":
        found = found.filter(assigned_to__isnull=True)
    elif filters.assigned == "me":
        found = found.filter(assigned_to_id=user_id)
    elif filters.assigned.isdigit():
        found = found.filter(assigned_to_id=int(filters.assigned))
    start = (max(page, 1) - 1) * QUEUE_PAGE
    rows = list(found.order_by("deadline", "pk")[start : start + QUEUE_PAGE + 1])
    return rows[:QUEUE_PAGE], len(rows) > QUEUE_PAGE


def documents_of(case: Case) -> QuerySet[Document]:
    return Document.objects.filter(case=case).select_related("attachment").order_by("sequence")


def events_of(case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case).order_by("occurred_at", "pk")


def open_request(case: Case) -> CaseRequest | None:
    return CaseRequest.objects.filter(case=case, answered_at__isnull=True).first()


def decision_of(case: Case) -> Decision | None:
    return Decision.objects.filter(case=case).select_related("document").first()


def document_for_staff(user: AbstractBaseUser, case: Case, sequence: int) -> Document | None:
    if case_for_staff(user, case.public_id) is None:
        return None
    return documents_of(case).filter(sequence=sequence).first()


# -- cases, for the person they concern ---------------------------------------------------


def cases_of(person: str) -> QuerySet[Case]:
    """The cases this person applied in or submitted, newest first."""
    return (
        _cases()
        .filter(Q(applicant_identifier=person) | Q(submitted_by=person))
        .order_by("-opened_at", "-pk")
    )


def case_for_person(person: str, public_id: str | uuid.UUID, *, loa: str) -> Case | None:
    parsed = _parse(public_id)
    if parsed is None:
        return None
    found = cases_of(person).select_related("application").filter(public_id=parsed).first()
    return assured(found, loa)


# -- the public diary ------------------------------------------------------------------

DIARY_PAGE = 50


def diary(organisation_id: int, *, number: str = "", page: int = 1) -> tuple[list[Document], bool]:
    """Registered documents, newest first. Secret ones are listed too: what each reader sees
    of them is `disclosure.shown`'s to decide."""
    found = Document.objects.filter(organisation_id=organisation_id).select_related("case")
    if number:
        found = found.filter(case__organisation_id=organisation_id, case__registrar_number=number)
    start = (max(page, 1) - 1) * DIARY_PAGE
    rows = list(found.order_by("-registered_at", "-pk")[start : start + DIARY_PAGE + 1])
    return rows[:DIARY_PAGE], len(rows) > DIARY_PAGE


def decision_by_number(organisation_slug: str, registrar_number: str) -> Decision | None:
    """A case's decision by the organisation and registrar number (for the operator's
    commands)."""
    return (
        Decision.objects.select_related("case__organisation", "signature")
        .filter(
            case__organisation__slug=organisation_slug,
            case__registrar_number=registrar_number.strip(),
        )
        .first()
    )


def application_by_reference(reference: str) -> Application | None:
    """A submitted application by its receipt number (for the operator's commands)."""
    return (
        Application.objects.select_related("organisation", "service_version")
        .filter(reference=reference, status=Application.Status.SUBMITTED)
        .first()
    )
