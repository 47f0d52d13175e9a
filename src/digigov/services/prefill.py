"""Answers filled in from the base registers, so nobody is asked for what we know."""

from __future__ import annotations

import logging
from typing import Any

from digigov.core.models import Organisation
from digigov.registers.client import Address, RegisterClient, RegisterUnavailable, registers
from digigov.services.spec import ServicePackageSpec

PURPOSE = "Förifyllnad av e-tjänst"
logger = logging.getLogger(__name__)


def _address(address: Address) -> dict[str, str]:
    """A register address as a postal_address answer."""
    return {"street": address.street, "postal_code": address.postal_code, "city": address.city}


def prefill(
    spec: ServicePackageSpec,
    *,
    applicant_kind: str,
    applicant: str,
    organisation: Organisation | None = None,
    user: str = "",
) -> dict[str, Any]:
    """Answers from the registers, asked as the organisation offering the service, for `user`.

    Prefill helps and is never required: when a register cannot be asked, the
    person fills in what it would have.
    """
    try:
        return _prefill(spec, applicant_kind, applicant, registers(organisation, user=user))
    except RegisterUnavailable:
        logger.warning("the registers could not be asked; %s starts without prefill", spec.code)
        return {}


def _prefill(
    spec: ServicePackageSpec, applicant_kind: str, applicant: str, client: RegisterClient
) -> dict[str, Any]:
    purpose = f"{PURPOSE} {spec.code}"
    values: dict[str, Any] = {}
    for field in spec.all_fields():
        source = field.prefill
        if source is None:
            continue
        if source.startswith("person.") and applicant_kind == "person":
            if source == "person.household":
                members = client.household(applicant, purpose=purpose)
                if members:
                    values[field.id] = [
                        {"namn": member.name, "personnummer": member.personal_identity_number}
                        for member in members
                    ]
                continue
            person = client.person(applicant, purpose=purpose)
            if person is None:
                continue
            if source == "person.name":
                values[field.id] = person.name
            elif source == "person.address":
                values[field.id] = _address(person.address)
        elif source == "property.owned_by_applicant":
            owned = client.properties_owned_by(applicant, purpose=purpose)
            if owned:
                values[field.id] = owned[0]
        elif source.startswith("company.") and applicant_kind == "company":
            company = client.company(applicant, purpose=purpose)
            if company is None:
                continue
            if source == "company.name":
                values[field.id] = company.name
            elif source == "company.address":
                values[field.id] = _address(company.address)
    return values


def owned_properties(
    applicant: str, code: str, organisation: Organisation | None = None, user: str = ""
) -> list[str]:
    """All properties the applicant owns, to offer as choices beside the prefilled one."""
    try:
        return registers(organisation, user=user).properties_owned_by(
            applicant, purpose=f"{PURPOSE} {code}"
        )
    except RegisterUnavailable:
        return []
