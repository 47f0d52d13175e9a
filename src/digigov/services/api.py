"""Public API of services: find services and read the schema of their answers."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from digigov.core import queries as core_queries
from digigov.core.problems import Problem, documented
from digigov.services import catalogue, json_schema, queries
from digigov.services.models import ServiceVersion

router = Router(tags=["services"])


class ServiceOut(Schema):
    organisation: str
    code: str
    version: str
    name_sv: str
    name_en: str
    description_sv: str
    description_en: str
    loa: str
    applicant_kinds: list[str]

    @staticmethod
    def of(service: ServiceVersion) -> ServiceOut:
        return ServiceOut(
            organisation=service.organisation.slug,
            code=service.code,
            version=service.version,
            name_sv=service.name_sv,
            name_en=service.name_en,
            description_sv=service.description_sv,
            description_en=service.description_en,
            loa=service.loa,
            applicant_kinds=list(service.applicant_kinds),
        )


def current(organisation: str, code: str) -> ServiceVersion:
    found = core_queries.organisation_by_slug(organisation)
    service = queries.current_service(found, code) if found else None
    if service is None:
        raise Problem(
            404,
            "unknown-service",
            f"{organisation} offers no service {code!r} / {organisation} erbjuder ingen tjänst {code!r}",
        )
    return service


class ServiceList(Schema):
    total: int
    services: list[ServiceOut]


@router.get("/services", response=documented(200, ServiceList, 422), operation_id="listServices")
def list_services(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=200)] = "",
    organisation: str | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
    offset: Annotated[int, Field(ge=0, le=100_000)] = 0,
) -> ServiceList:
    """Current services, best match first for plain words (`q`), optionally of one organisation."""
    scope = core_queries.organisation_by_slug(organisation) if organisation else None
    if organisation and scope is None:
        return ServiceList(total=0, services=[])
    found = queries.search(q, scope, limit=limit, offset=offset)
    return ServiceList(total=found.total, services=[ServiceOut.of(s) for s in found.services])


@router.get(
    "/services/{organisation}/{code}",
    response=documented(200, ServiceOut, 404),
    operation_id="getService",
)
def get_service(request: HttpRequest, organisation: str, code: str) -> ServiceOut:
    return ServiceOut.of(current(organisation, code))


@router.get(
    "/services/{organisation}/{code}/schema",
    response=documented(200, dict[str, Any], 404),
    operation_id="getServiceSchema",
)
def get_service_schema(request: HttpRequest, organisation: str, code: str) -> dict[str, Any]:
    """The JSON Schema of the service's answers, generated from its package."""
    return json_schema.answers_schema(catalogue.spec_of(current(organisation, code)))
