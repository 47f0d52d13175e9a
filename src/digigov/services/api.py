"""Public API of services: find services and read the schema of their answers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

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
        spec = catalogue.spec_of(service)
        return ServiceOut(
            organisation=service.organisation.slug,
            code=service.code,
            version=service.version,
            name_sv=service.name_sv,
            name_en=service.name_en,
            description_sv=service.description_sv,
            description_en=service.description_en,
            loa=spec.loa,
            applicant_kinds=list(spec.applicant.kinds),
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


@router.get("/services", response=list[ServiceOut], operation_id="listServices")
def list_services(
    request: HttpRequest, q: str = "", organisation: str | None = None
) -> list[ServiceOut]:
    """Current services, optionally found by plain words (`q`) or for one organisation."""
    scope = core_queries.organisation_by_slug(organisation) if organisation else None
    if organisation and scope is None:
        return []
    return [ServiceOut.of(s) for s in queries.search(q[:200], scope)]


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
