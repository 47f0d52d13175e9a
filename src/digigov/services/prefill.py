"""Answers filled in from the base registers, so nobody is asked for what we know.

Prefill asks other nodes, so it runs before the draft's transaction opens
(`core.outbound`): the caller gathers a `Prefill` first, then stores it. What
was filled in from where, and which register could not be asked, is kept
with the draft, so the form claims only what it shows and never asks again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from digigov.core.models import Organisation
from digigov.registers.client import (
    Address,
    Company,
    Person,
    RegisterClient,
    RegisterUnavailable,
    registers,
)
from digigov.services.spec import FormField, ServicePackageSpec

PURPOSE = "Förifyllnad av e-tjänst"
logger = logging.getLogger(__name__)

# The register each source reads: the names are registers.client.REGISTER_NAMES' keys.
REGISTER_OF = {"person": "population", "property": "property", "company": "company"}


@dataclass
class Prefill:
    answers: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # field id: register
    choices: dict[str, list[str]] = field(default_factory=dict)  # field id: all values found
    unavailable: list[str] = field(default_factory=list)  # registers that could not be asked

    def stored(self) -> dict[str, Any]:
        """What the draft keeps beside its answers."""
        return {"sources": self.sources, "choices": self.choices, "unavailable": self.unavailable}


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
) -> Prefill:
    """Answers from the registers, asked as the organisation offering the service, for `user`.

    Prefill helps and is never required: a register that cannot be asked is
    noted, and the person fills in what it would have.
    """
    reader = _Reader(registers(organisation, user=user), applicant, f"{PURPOSE} {spec.code}")
    found = Prefill()
    for form_field in spec.all_fields():
        source = form_field.prefill
        if source is None:
            continue
        kind = source.split(".", 1)[0]
        if kind in {"person", "company"} and kind != applicant_kind:
            continue
        register = REGISTER_OF[kind]
        if register in found.unavailable:
            continue
        try:
            value, choices = _value(reader, source)
        except RegisterUnavailable as error:
            logger.warning("%s could not be asked for %s: %s", register, spec.code, error)
            found.unavailable.append(register)
            continue
        if value:
            _fill(found, form_field, value, register, choices)
    return found


def _fill(
    found: Prefill, form_field: FormField, value: Any, register: str, choices: list[str]
) -> None:
    found.answers[form_field.id] = value
    found.sources[form_field.id] = register
    if len(choices) > 1:
        found.choices[form_field.id] = choices


class _Reader:
    """Asks each register once per draft, however many fields it fills."""

    def __init__(self, client: RegisterClient, applicant: str, purpose: str) -> None:
        self.client, self.applicant, self.purpose = client, applicant, purpose
        self._person: tuple[Person | None] | None = None
        self._company: tuple[Company | None] | None = None

    def person(self) -> Person | None:
        if self._person is None:
            self._person = (self.client.person(self.applicant, purpose=self.purpose),)
        return self._person[0]

    def company(self) -> Company | None:
        if self._company is None:
            self._company = (self.client.company(self.applicant, purpose=self.purpose),)
        return self._company[0]


def _value(reader: _Reader, source: str) -> tuple[Any, list[str]]:
    """The value of one source, and every value found when there were several."""
    client, applicant, purpose = reader.client, reader.applicant, reader.purpose
    if source == "person.household":
        members = client.household(applicant, purpose=purpose)
        return [
            {"namn": member.name, "personnummer": member.personal_identity_number}
            for member in members
        ], []
    if source == "property.owned_by_applicant":
        owned = client.properties_owned_by(applicant, purpose=purpose)
        return (owned[0] if owned else None), owned
    holder = reader.person() if source.startswith("person.") else reader.company()
    if holder is None:
        return None, []
    if source.endswith(".name"):
        return holder.name, []
    address = _address(holder.address)
    # A protected identity's address is never given out: nothing to fill in.
    return (address if any(address.values()) else None), []
