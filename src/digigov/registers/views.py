"""The base registers as services behind this installation's gateway (the register node role).

Only the gateway may call them: it sends the token of the local service it
fronts. Every answer about a person is recorded for the data tracker with who
asked (X-Road-Client, X-Road-UserId) and why (X-Road-Issue). A person with
protected identity (skyddad folkbokföring) is answered without an address,
and without their household.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from digigov.core.identifiers import parse_organisation_number, parse_person_identifier
from digigov.exchange import queries as exchange_queries
from digigov.registers import actions, queries
from digigov.registers.models import CompanyRecord, PopulationRecord

View = Callable[..., HttpResponse]


def _problem(status: int, message: str) -> JsonResponse:
    return JsonResponse({"status": status, "detail": message}, status=status)


def from_gateway(view: View) -> View:
    """Refuse anything that does not come through this installation's gateway."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.headers.get("X-Digigov-Gateway-Token", "")
        if exchange_queries.service_for_token(token) is None:
            return _problem(403, "the registers answer only through the exchange's gateway")
        return view(request, *args, **kwargs)

    return wrapper


def _asked(request: HttpRequest, register: str, subjects: list[str]) -> None:
    client = request.headers.get("X-Road-Client", "")
    actions.record_register_access(
        subjects=subjects,
        register=register,
        client=client,
        client_name=exchange_queries.member_name(client.rsplit("/", 1)[0]),
        user_id=request.headers.get("X-Road-UserId", ""),
        purpose=unquote(request.headers.get("X-Road-Issue", "")),
        message_id=request.headers.get("X-Road-Id", ""),
    )


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


def _person_number(text: str) -> str | None:
    try:
        return parse_person_identifier(text).value
    except ValidationError:
        return None


@require_safe
@from_gateway
def person(request: HttpRequest, number: str) -> HttpResponse:
    parsed = _person_number(number)
    if parsed is None:
        return _problem(400, "not a personnummer")
    record = queries.person(parsed)
    if record is None:
        return _problem(404, "no such person")
    _asked(request, "population", [parsed])
    return JsonResponse(_person_json(record))


@require_safe
@from_gateway
def household(request: HttpRequest, number: str) -> HttpResponse:
    parsed = _person_number(number)
    if parsed is None:
        return _problem(400, "not a personnummer")
    record = queries.person(parsed)
    if record is None:
        return _problem(404, "no such person")
    # A protected person's household would tell where they live.
    members = [] if record.protected_identity else queries.household_of(record)
    _asked(request, "population", [parsed, *(m.personal_identity_number for m in members)])
    return JsonResponse({"medlemmar": [_person_json(m) for m in members]})


@require_safe
@from_gateway
def properties(request: HttpRequest) -> HttpResponse:
    owner = request.GET.get("agare", "")
    if not owner.isdigit() or len(owner) not in (10, 12):
        return _problem(400, "give agare: a personnummer or organisationsnummer")
    if len(owner) == 12:
        _asked(request, "property", [owner])
    designations = queries.properties_owned_by(owner)
    return JsonResponse({"fastigheter": [{"beteckning": d} for d in designations]})


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


@require_safe
@from_gateway
def company(request: HttpRequest, number: str) -> HttpResponse:
    try:
        parsed = parse_organisation_number(number).value
    except ValidationError:
        return _problem(400, "not an organisationsnummer")
    record = queries.company(parsed)
    if record is None:
        return _problem(404, "no such company")
    # The answer names the signatories: each may see it in their data tracker.
    _asked(request, "company", [s.personal_identity_number for s in record.signatories.all()])
    return JsonResponse(_company_json(record))


@require_safe
@from_gateway
def companies(request: HttpRequest) -> HttpResponse:
    signatory = _person_number(request.GET.get("firmatecknare", ""))
    if signatory is None:
        return _problem(400, "give firmatecknare: a personnummer")
    _asked(request, "company", [signatory])
    return JsonResponse(
        {"foretag": [_company_json(c) for c in queries.companies_signed_by(signatory)]}
    )


@require_safe
@from_gateway
def property_details(request: HttpRequest, designation: str) -> HttpResponse:
    record = queries.property_by_designation(designation)
    if record is None:
        return _problem(404, "no such property")
    owners = [owner.owner_identifier for owner in record.owners.all()]
    _asked(request, "property", owners)
    return JsonResponse(
        {
            "beteckning": record.designation,
            "kommunkod": record.municipality_code,
            "arealKvadratmeter": record.area_square_metres,
            "agare": [
                {"identitet": owner.owner_identifier, "andel": owner.share}
                for owner in record.owners.all()
            ],
        }
    )


@require_safe
@from_gateway
def accesses(request: HttpRequest, number: str) -> HttpResponse:
    """The data tracker as a service: what this installation recorded about a person's data,
    for a hub that shows a person every organisation's records (over the exchange)."""
    parsed = _person_number(number)
    if parsed is None:
        return _problem(400, "not a personnummer")
    asked_for = request.headers.get("X-Road-UserId", "").removeprefix("SE")
    if asked_for != parsed:
        return _problem(
            403, "a person's accesses are given only when they themselves ask (X-Road-UserId)"
        )
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
    return JsonResponse({"atkomster": found})
