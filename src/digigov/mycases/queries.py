"""Reads for Mina ärenden, each scoped to one organisation and to the person asking."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from digigov.cases import queries as case_queries
from digigov.cases.models import ApplicantKind, Case, CaseEvent
from digigov.core.models import Organisation
from digigov.mycases.models import HubQuestion, Producer
from digigov.mycases.spec import Part


def producer_paused(organisation: Organisation) -> bool:
    return Producer.objects.filter(organisation=organisation, paused=True).exists()


def organisation_number(identifier: str) -> str:
    """Mina ärenden writes organisation numbers in 12 digits (16 + the 10)."""
    return identifier[2:] if len(identifier) == 12 and identifier.startswith("16") else identifier


def _cases_of_part(part: Part) -> Q:
    found = Q()
    if part.kund is not None:
        if part.kund.typ == "Organisationsnummer":
            found &= Q(
                applicant_kind=ApplicantKind.COMPANY,
                applicant_identifier=organisation_number(part.kund.identifierare),
            )
        else:
            number = part.kund.identifierare
            found &= Q(applicant_identifier=number) | Q(submitted_by=number)
    if part.arende is not None:
        identifier = part.arende.identifierare
        if part.arende.typ == "Diarienummer":
            found &= Q(registrar_number=identifier)
        elif part.arende.typ == "Kvittensnummer":
            found &= Q(application__reference=identifier)
        elif part.arende.typ == "Producentarendereferens":
            found &= Q(public_id=identifier) if _is_uuid(identifier) else Q(pk__in=[])
        else:  # Konsumentreferens: the consumer's own reference, unknown here
            found &= Q(pk__in=[])
    return found


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def events_for(
    organisation: Organisation, part: Part, *, user: str, companies: list[str], loa: str
) -> QuerySet[CaseEvent]:
    """The events of this organisation's cases that the part names and the user may see:
    cases the user applied in or submitted, or of a company the user may sign for, of
    services whose level the user's sign-in (`loa`) meets."""
    visible = Q(applicant_identifier=user) | Q(submitted_by=user)
    if companies:
        visible |= Q(applicant_kind=ApplicantKind.COMPANY, applicant_identifier__in=companies)
    cases = Case.objects.filter(
        Q(organisation=organisation) & _cases_of_part(part) & visible & case_queries.within(loa)
    ).exclude(number=None)
    return (
        CaseEvent.objects.filter(organisation=organisation, case__in=cases)
        .select_related("case", "case__service_version")
        .defer("case__service_version__spec", "case__service_version__search_text")
        .order_by("-occurred_at", "-pk")
    )


def recent_questions(limit: int = 50) -> QuerySet[HubQuestion]:
    return HubQuestion.objects.order_by("-asked_at", "-pk")[:limit]
