"""Reads of applications and cases, always for the person asking.

A person sees the applications they submit or that are made for them; anyone
else gets None, which the pages and the API turn into 404.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from digigov.cases.models import Application, Attachment, Case

LARGE_VERSION_FIELDS = ("service_version__spec", "service_version__search_text")


def _parse(public_id: str | uuid.UUID) -> uuid.UUID | None:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None


def applications_of(person: str) -> QuerySet[Application]:
    """Everything this person has started or submitted, or that is made in their name."""
    return (
        Application.objects.filter(Q(submitted_by=person) | Q(applicant_identifier=person))
        .select_related("service_version", "organisation")
        # The package itself is parsed once per process (catalogue.spec_of).
        .defer(*LARGE_VERSION_FIELDS)
        .order_by("-updated_at")
    )


def drafts_of(person: str) -> QuerySet[Application]:
    return applications_of(person).filter(status=Application.Status.DRAFT, submitted_by=person)


def application_for(person: str, public_id: str | uuid.UUID) -> Application | None:
    parsed = _parse(public_id)
    if parsed is None:
        return None
    return applications_of(person).filter(public_id=parsed).first()


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


def draft_for(person: str, public_id: str | uuid.UUID) -> Application | None:
    """Only the person who started a draft may change it."""
    parsed = _parse(public_id)
    if parsed is None:
        return None
    return drafts_of(person).filter(public_id=parsed).first()


def attachment_for(person: str, public_id: str | uuid.UUID) -> Attachment | None:
    parsed = _parse(public_id)
    if parsed is None:
        return None
    return (
        Attachment.objects.filter(public_id=parsed)
        .filter(Q(application__submitted_by=person) | Q(application__applicant_identifier=person))
        .select_related("application")
        .first()
    )


def attachments_of(application: Application) -> QuerySet[Attachment]:
    return Attachment.objects.filter(application=application).order_by("uploaded_at")


def case_of(application: Application) -> Case | None:
    return Case.objects.filter(application=application).first()
