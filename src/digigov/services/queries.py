"""Read helpers for installed services. Services are public: anyone may find them."""

from __future__ import annotations

from django.db.models import QuerySet

from digigov.core.models import Organisation
from digigov.services import catalogue
from digigov.services.models import ServiceVersion


def current_services(organisation: Organisation | None = None) -> QuerySet[ServiceVersion]:
    services = ServiceVersion.objects.filter(is_current=True).select_related("organisation")
    if organisation is not None:
        services = services.filter(organisation=organisation)
    return services.order_by("organisation__name", "name_sv")


def current_service(organisation: Organisation, code: str) -> ServiceVersion | None:
    return current_services(organisation).filter(code=code).first()


def service_version(version_id: int) -> ServiceVersion | None:
    return ServiceVersion.objects.filter(pk=version_id).select_related("organisation").first()


def search(query: str, organisation: Organisation | None = None) -> list[ServiceVersion]:
    """Services matching plain words, best match first; all services for an empty query."""
    stems = catalogue.query_stems(query)
    services = current_services(organisation)
    if not stems:
        return list(services)
    candidates = services.only(
        "pk", "code", "version", "name_sv", "name_en", "description_sv", "description_en",
        "search_text", "organisation__name", "organisation__slug", "installed_at",
    )  # fmt: skip
    scored = [(catalogue.score(stems, s.search_text), s) for s in candidates]
    best = max((points for points, _ in scored), default=0)
    if best == 0:
        return []
    # Every word should match; if none matches all, show those matching most.
    return [service for points, service in scored if points == best]
