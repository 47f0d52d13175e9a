"""Read helpers for core data."""

from __future__ import annotations

from typing import TypeVar, cast

from django.core.validators import slug_re
from django.db.models import QuerySet

from digigov.core.models import AccessRecord, Organisation, OrganisationOwned

Owned = TypeVar("Owned", bound=OrganisationOwned)


def organisations() -> QuerySet[Organisation]:
    """Organisations are public: anyone may list them."""
    return Organisation.objects.all()


def organisation_by_slug(slug: str) -> Organisation | None:
    if not slug_re.fullmatch(slug):  # not a slug (a NUL, say): no such organisation
        return None
    return Organisation.objects.filter(slug=slug).first()


def scoped(model: type[Owned], organisation: Organisation) -> QuerySet[Owned]:
    """The rows of ``model`` that belong to ``organisation``; the start of every tenant read."""
    if not issubclass(model, OrganisationOwned):
        raise TypeError(f"{model.__name__} does not belong to an organisation")
    return cast("QuerySet[Owned]", model._default_manager.filter(organisation=organisation))


def accesses_to(person: str) -> QuerySet[AccessRecord]:
    """Who in which organisation read this person's data, newest first: for their data tracker."""
    return (
        AccessRecord.objects.filter(subject=person)
        .select_related("organisation")
        .order_by("-accessed_at", "-pk")
    )
