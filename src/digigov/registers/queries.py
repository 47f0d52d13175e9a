"""Reads of the base registers (the register node's own data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from digigov.core import queries as core_queries
from digigov.identity.builtin_eid import TestPerson
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


def companies_signed_by(person_number: str, *, jointly: bool = False) -> list[CompanyRecord]:
    """The companies this person may represent alone (`jointly`: or together with others)."""
    rows = CompanySignatory.objects.filter(personal_identity_number=person_number)
    if not jointly:
        rows = rows.filter(company__signatories_required=1)
    numbers = rows.values_list("company_id", flat=True)
    return list(
        CompanyRecord.objects.filter(pk__in=numbers)
        .prefetch_related("signatories")
        .order_by("organisation_number")
    )


def accesses_to(person_number: str) -> QuerySet[RegisterAccess]:
    """What the register node answered about this person: for their data tracker."""
    return RegisterAccess.objects.filter(subject=person_number).order_by("-accessed_at", "-pk")


@dataclass(frozen=True)
class Access:
    """One use of a person's data, for their data tracker."""

    when: datetime
    organisation: str
    over_exchange: bool  # a register read over the exchange, else a case opened
    register: str  # population, property, company ("" for a case)
    role: str  # the staff role that opened a case ("" over the exchange)
    person: str  # the staff member's name, where the organisation chooses to name staff
    case: str  # the case's registrar number ("" over the exchange)
    purpose: str


def all_accesses_to(
    person_number: str, limit: int = 500, before: dt.datetime | None = None
) -> list[Access]:
    """Register reads and case openings of this person's data, newest first; only those
    before `before` when given (a page's key: the last one shown)."""
    registers = accesses_to(person_number)
    readings = core_queries.accesses_to(person_number)
    if before is not None:
        registers = registers.filter(accessed_at__lt=before)
        readings = readings.filter(accessed_at__lt=before)
    found = [
        Access(a.accessed_at, a.client_name or a.client, True, a.register, "", "", "", a.purpose)
        for a in registers[:limit]
    ] + [
        Access(
            a.accessed_at,
            a.organisation.name,
            False,
            "",
            a.actor_role,
            a.actor_name if a.organisation.name_staff_in_data_tracker else "",
            a.object_id,
            a.purpose,
        )
        for a in readings[:limit]
    ]
    found.sort(key=lambda access: access.when, reverse=True)
    return found[:limit]


def named_person(number: str) -> TestPerson | None:
    """A person's names as the population register has them (for the BankID simulator)."""
    record = PopulationRecord.objects.filter(personal_identity_number=number).first()
    if record is None:
        return None
    return TestPerson(number, record.given_name, record.surname)
