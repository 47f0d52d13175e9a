"""Reads of the base registers (the register node's own data)."""

from __future__ import annotations

from django.db.models import QuerySet

from digigov.registers.models import (
    CompanyRecord,
    CompanySignatory,
    PopulationRecord,
    PropertyOwner,
    PropertyRecord,
    RegisterAccess,
)


def person(number: str) -> PopulationRecord | None:
    return (
        PopulationRecord.objects.filter(personal_identity_number=number)
        .prefetch_related("guardians")
        .first()
    )


def household_of(record: PopulationRecord) -> list[PopulationRecord]:
    others = (
        PopulationRecord.objects.filter(household=record.household)
        .exclude(pk=record.pk)
        .prefetch_related("guardians")
        .order_by("personal_identity_number")
    )
    return list(others)


def properties_owned_by(identifier: str) -> list[str]:
    rows = PropertyOwner.objects.filter(owner_identifier=identifier).select_related("property")
    return sorted(row.property.designation for row in rows)


def property_by_designation(designation: str) -> PropertyRecord | None:
    return PropertyRecord.objects.filter(designation=designation).prefetch_related("owners").first()


def company(number: str) -> CompanyRecord | None:
    return (
        CompanyRecord.objects.filter(organisation_number=number)
        .prefetch_related("signatories")
        .first()
    )


def companies_signed_by(person_number: str) -> list[CompanyRecord]:
    """The companies this person may represent alone."""
    numbers = CompanySignatory.objects.filter(
        personal_identity_number=person_number, company__signatories_required=1
    ).values_list("company_id", flat=True)
    return list(
        CompanyRecord.objects.filter(pk__in=numbers)
        .prefetch_related("signatories")
        .order_by("organisation_number")
    )


def accesses_to(person_number: str) -> QuerySet[RegisterAccess]:
    """What the register node answered about this person: for their data tracker."""
    return RegisterAccess.objects.filter(subject=person_number).order_by("-accessed_at", "-pk")
