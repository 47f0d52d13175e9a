"""Reads of the exchange's tables."""

from __future__ import annotations

from digigov.exchange.models import PublishedConfiguration


def newest_configuration() -> PublishedConfiguration | None:
    return PublishedConfiguration.objects.order_by("-version").first()
