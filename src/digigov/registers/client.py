"""The interface other modules use to ask the base registers.

Every question carries why it is asked (GDPR: the purpose of every access), so
that the exchange can send it along and the data tracker can show it to the
person. The local client reads this installation's registers and does not yet
record the purpose; the exchange issue adds a client that asks another
organisation's register node over the federation, and the record of accesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from digigov.registers.models import (
    CompanyRecord,
    CompanySignatory,
    PopulationRecord,
    PropertyOwner,
)


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str


@dataclass(frozen=True)
class Person:
    personal_identity_number: str
    given_name: str
    surname: str
    address: Address

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.surname}"


@dataclass(frozen=True)
class Company:
    organisation_number: str
    name: str
    legal_form: str
    address: Address
    signatories_required: int


class RegisterClient(Protocol):
    def person(self, number: str, *, purpose: str) -> Person | None: ...
    def household(self, number: str, *, purpose: str) -> list[Person]: ...
    def properties_owned_by(self, identifier: str, *, purpose: str) -> list[str]: ...
    def company(self, number: str, *, purpose: str) -> Company | None: ...
    def may_sign_for(self, person: str, company: str, *, purpose: str) -> bool: ...
    def companies_signed_by(self, person: str, *, purpose: str) -> list[Company]: ...


def _person(record: PopulationRecord) -> Person:
    return Person(
        personal_identity_number=record.personal_identity_number,
        given_name=record.given_name,
        surname=record.surname,
        address=Address(record.street, record.postal_code, record.city),
    )


class LocalRegisters:
    """Reads the registers held by this installation."""

    def person(self, number: str, *, purpose: str) -> Person | None:
        record = PopulationRecord.objects.filter(personal_identity_number=number).first()
        return None if record is None else _person(record)

    def household(self, number: str, *, purpose: str) -> list[Person]:
        record = PopulationRecord.objects.filter(personal_identity_number=number).first()
        if record is None:
            return []
        others = PopulationRecord.objects.filter(household=record.household).exclude(pk=record.pk)
        return [_person(other) for other in others.order_by("personal_identity_number")]

    def properties_owned_by(self, identifier: str, *, purpose: str) -> list[str]:
        rows = PropertyOwner.objects.filter(owner_identifier=identifier).select_related("property")
        return sorted(row.property.designation for row in rows)

    def company(self, number: str, *, purpose: str) -> Company | None:
        record = CompanyRecord.objects.filter(organisation_number=number).first()
        if record is None:
            return None
        return Company(
            organisation_number=record.organisation_number,
            name=record.name,
            legal_form=record.legal_form,
            address=Address(record.street, record.postal_code, record.city),
            signatories_required=record.signatories_required,
        )

    def may_sign_for(self, person: str, company: str, *, purpose: str) -> bool:
        """May this person alone represent the company (sole signatory rule)?"""
        return CompanySignatory.objects.filter(
            company__organisation_number=company,
            company__signatories_required=1,
            personal_identity_number=person,
        ).exists()

    def companies_signed_by(self, person: str, *, purpose: str) -> list[Company]:
        """The companies this person may represent alone."""
        numbers = CompanySignatory.objects.filter(
            personal_identity_number=person, company__signatories_required=1
        ).values_list("company__organisation_number", flat=True)
        found = [self.company(number, purpose=purpose) for number in sorted(numbers)]
        return [company for company in found if company is not None]


def registers() -> RegisterClient:
    return LocalRegisters()
