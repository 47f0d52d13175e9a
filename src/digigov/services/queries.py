"""Read helpers for installed services. Services are public: anyone may find them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet

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


@dataclass(frozen=True)
class SearchResult:
    services: list[ServiceVersion]
    total: int


# (fingerprint of the current services, [(pk, organisation id, sorted words)])
_index: tuple[tuple[object, ...], list[tuple[int, int, tuple[str, ...]]]] = ((), [])


def _search_index() -> list[tuple[int, int, tuple[str, ...]]]:
    """The words of every current service, kept per process until a service is installed.

    Installing makes a new row, so the count, highest id and latest install time
    of current rows change; checking them is one small query instead of reading
    every service.
    """
    global _index
    current = ServiceVersion.objects.filter(is_current=True)
    stats = current.aggregate(count=Count("pk"), last=Max("pk"), newest=Max("installed_at"))
    fingerprint = (stats["count"], stats["last"], stats["newest"])
    if _index[0] != fingerprint:
        rows = current.values_list("pk", "organisation_id", "search_text")
        _index = (fingerprint, [(pk, org, catalogue.tokens(text)) for pk, org, text in rows])
    return _index[1]


def search(
    query: str, organisation: Organisation | None = None, *, limit: int = 50, offset: int = 0
) -> SearchResult:
    """Services matching plain words, best match first; all services for an empty query.

    Every word should match; if no service matches them all, those matching most.
    """
    stems = catalogue.query_stems(query)
    entries = [
        entry for entry in _search_index() if organisation is None or entry[1] == organisation.pk
    ]
    if stems:
        scored = [(catalogue.score(stems, words), pk) for pk, _org, words in entries]
        best = max((points for points, _pk in scored), default=0)
        matching = [pk for points, pk in scored if points == best and best > 0]
    else:
        matching = [pk for pk, _org, _words in entries]
    page = (
        ServiceVersion.objects.filter(pk__in=matching)
        .defer("spec", "search_text")
        .select_related("organisation")
        .order_by("name_sv", "organisation__name")[offset : offset + limit]
    )
    return SearchResult(services=list(page), total=len(matching))
