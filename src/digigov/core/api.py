"""Public API of core: organisations and identifier checks."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from digigov.core import queries
from digigov.core.identifiers import parse_organisation_number, parse_person_identifier
from digigov.core.models import Organisation
from digigov.core.problems import Problem, documented, messages_of

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: Literal["kommun", "region", "myndighet"]
    organisationsnummer: str
    kommunkod: str | None

    @staticmethod
    def of(organisation: Organisation) -> OrganisationOut:
        return OrganisationOut(
            slug=organisation.slug,
            name=organisation.name,
            kind=organisation.kind,  # type: ignore[arg-type]
            organisationsnummer=organisation.organisation_number,
            kommunkod=organisation.municipality_code or None,
        )


class IdentifierIn(Schema):
    type: Literal["personnummer", "organisationsnummer"]
    value: str


class IdentifierOut(Schema):
    type: Literal["personnummer", "samordningsnummer", "organisationsnummer"]
    value: str
    formatted: str


@router.get("/organisations", response=list[OrganisationOut], operation_id="listOrganisations")
def list_organisations(request: HttpRequest) -> list[OrganisationOut]:
    return [OrganisationOut.of(o) for o in queries.organisations()]


@router.get(
    "/organisations/{slug}",
    response=documented(200, OrganisationOut, 404),
    operation_id="getOrganisation",
)
def get_organisation(request: HttpRequest, slug: str) -> OrganisationOut:
    found = queries.organisation_by_slug(slug)
    if found is None:
        raise Problem(
            404,
            "unknown-organisation",
            f"No organisation is called {slug!r} / Ingen organisation heter {slug!r}",
        )
    return OrganisationOut.of(found)


@router.post(
    "/identifiers/normalise",
    response=documented(200, IdentifierOut, 400, 422),
    tags=["identifiers"],
    operation_id="normaliseIdentifier",
)
def normalise_identifier(request: HttpRequest, body: IdentifierIn) -> IdentifierOut:
    """Check a personnummer, samordningsnummer or organisationsnummer and normalise it."""
    try:
        if body.type == "personnummer":
            person = parse_person_identifier(body.value)
            return IdentifierOut(type=person.kind, value=person.value, formatted=str(person))
        organisation = parse_organisation_number(body.value)
        return IdentifierOut(
            type="organisationsnummer", value=organisation.value, formatted=str(organisation)
        )
    except ValidationError as error:
        raise Problem(
            422,
            "invalid-identifier",
            messages_of(error),
            errors=[{"pointer": "/value", "detail": messages_of(error)}],
        ) from error
