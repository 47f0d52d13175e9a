"""What a base register answers, to whom, and the record of it: the one home of both.

The register node's services (over the exchange) and the registers this
installation reads itself (`DIGIGOV_REGISTERS=local`) both answer through
these functions, so a person with protected identity (skyddad folkbokföring)
is answered without an address or household on every path, and every answer
about a person is recorded for their data tracker with who asked and why.

The answers are the services' JSON documents (see docs/integrators.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from digigov.core.identifiers import parse_organisation_number, parse_person_identifier
from digigov.registers import actions, queries
from digigov.registers.models import CompanyRecord, PopulationRecord

# Each service's OpenAPI description, as the exchange's getOpenAPI gives it.
OPENAPI = Path(__file__).resolve().parent / "openapi"

# The register node's services, by the code each is registered under at the gateway.
POPULATION = "folkbokforing"
PROPERTY = "fastighet"
COMPANY = "foretag"
DATA_TRACKER = "dataspar"


@dataclass(frozen=True)
class Asker:
    """Who asks and why: the asking subsystem (X-Road-Client, or locally the
    organisation's own), the person or case worker it acts for (X-Road-UserId),
    the purpose (X-Road-Issue) and the message's id."""

    client: str
    client_name: str
    user_id: str
    purpose: str
    message_id: str = ""


def openapi(code: str) -> str:
    """The OpenAPI description of the register service `code` (YAML)."""
    return (OPENAPI / f"{code}.yaml").read_text()


class BadQuestion(ValueError):
    """The question is not one the register can answer (400)."""


class Refused(PermissionError):
    """The asker may not have this answer (403)."""


class NotFound(LookupError):
    """The register holds no such person, company or property (404)."""


def _asked(asker: Asker, register: str, subjects: list[str]) -> None:
    actions.record_register_access(
        subjects=subjects,
        register=register,
        client=asker.client,
        client_name=asker.client_name,
        user_id=asker.user_id,
        purpose=asker.purpose,
        message_id=asker.message_id,
    )


def person_number(text: str) -> str:
    try:
        return parse_person_identifier(text).value
    except ValidationError as error:
        raise BadQuestion("not a personnummer") from error


def _person_json(record: PopulationRecord) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "personnummer": record.personal_identity_number,
        "fornamn": record.given_name,
        "efternamn": record.surname,
        "fodelsedatum": record.date_of_birth.isoformat() if record.date_of_birth else None,
        "skyddadFolkbokforing": record.protected_identity,
        "adress": None,
        "vardnadshavare": [g.personal_identity_number for g in record.guardians.all()],
    }
    if not record.protected_identity:
        answer["adress"] = {
            "gatuadress": record.street,
            "postnummer": record.postal_code,
            "postort": record.city,
            "kommunkod": record.municipality_code,
        }
    return answer


def person(number: str, asker: Asker) -> dict[str, Any]:
    parsed = person_number(number)
    record = queries.person(parsed)
    if record is None:
        raise NotFound("no such person")
    _asked(asker, "population", [parsed])
    return _person_json(record)


def household(number: str, asker: Asker) -> dict[str, Any]:
    parsed = person_number(number)
    record = queries.person(parsed)
    if record is None:
        raise NotFound("no such person")
    # A protected person's household would tell where they live; and a protected person
    # is never named as anyone's household member (the others' address is theirs too).
    members = (
        []
        if record.protected_identity
        else [m for m in queries.household_of(record) if not m.protected_identity]
    )
    _asked(asker, "population", [parsed, *(m.personal_identity_number for m in members)])
    return {"medlemmar": [_person_json(m) for m in members]}


def properties(owner: str, asker: Asker) -> dict[str, Any]:
    if not owner.isascii() or not owner.isdigit() or len(owner) not in (10, 12):
        raise BadQuestion("give agare: a personnummer or organisationsnummer")
    if len(owner) == 12:
        _asked(asker, "property", [owner])
    designations = queries.properties_owned_by(owner)
    return {"fastigheter": [{"beteckning": d} for d in designations]}


def property_details(designation: str, asker: Asker) -> dict[str, Any]:
    record = queries.property_by_designation(designation)
    if record is None:
        raise NotFound("no such property")
    owners = list(record.owners.all())
    _asked(asker, "property", [owner.owner_identifier for owner in owners])
    return {
        "beteckning": record.designation,
        "kommunkod": record.municipality_code,
        "arealKvadratmeter": record.area_square_metres,
        "agare": [{"identitet": owner.owner_identifier, "andel": owner.share} for owner in owners],
    }


def _company_json(record: CompanyRecord) -> dict[str, Any]:
    return {
        "organisationsnummer": record.organisation_number,
        "namn": record.name,
        "juridiskForm": record.legal_form,
        "adress": {
            "gatuadress": record.street,
            "postnummer": record.postal_code,
            "postort": record.city,
        },
        "firmateckning": {
            "antalTillsammans": record.signatories_required,
            "firmatecknare": [
                {"personnummer": s.personal_identity_number, "namn": s.name}
                for s in record.signatories.all()
            ],
        },
    }


def company(number: str, asker: Asker) -> dict[str, Any]:
    try:
        parsed = parse_organisation_number(number).value
    except ValidationError as error:
        raise BadQuestion("not an organisationsnummer") from error
    record = queries.company(parsed)
    if record is None:
        raise NotFound("no such company")
    # The answer names the signatories: each may see it in their data tracker.
    _asked(asker, "company", [s.personal_identity_number for s in record.signatories.all()])
    return _company_json(record)


def companies(signatory: str, asker: Asker, *, jointly: bool = False) -> dict[str, Any]:
    try:
        parsed = person_number(signatory)
    except BadQuestion as error:
        raise BadQuestion("give firmatecknare: a personnummer") from error
    _asked(asker, "company", [parsed])
    found = queries.companies_signed_by(parsed, jointly=jointly)
    return {"foretag": [_company_json(c) for c in found]}


def accesses(number: str, asker: Asker) -> dict[str, Any]:
    """What this installation recorded about a person's data, for a hub that shows a person
    every organisation's records: given only when the person themselves asks."""
    parsed = person_number(number)
    if asker.user_id.removeprefix("SE") != parsed:
        raise Refused("a person's accesses are given only when they themselves ask (X-Road-UserId)")
    found = [
        {
            "tidpunkt": access.when.isoformat(),
            "organisation": access.organisation,
            "hur": "datautbyte" if access.over_exchange else access.role or "system",
            "vad": access.register if access.over_exchange else f"ärende {access.case}",
            "syfte": access.purpose,
        }
        for access in queries.all_accesses_to(parsed)
    ]
    return {"atkomster": found}
