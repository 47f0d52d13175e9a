"""The changes Mina ärenden makes: pausing a producer, and logging the hub's questions."""

from __future__ import annotations

from typing import Any

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.core.transactions import action
from digigov.mycases.models import HubQuestion, Producer


@action
def set_producer_paused(*, actor: Actor, organisation: Organisation, paused: bool) -> Producer:
    """A paused producer answers 503 (maintenance): hubs report it and show the others."""
    producer, _created = Producer.objects.update_or_create(
        organisation=organisation, defaults={"paused": paused, "changed_at": clock.now()}
    )
    audit.record(
        actor=actor,
        action="mycases.producer_paused" if paused else "mycases.producer_resumed",
        organisation=organisation,
        object_type="producer",
        object_id=organisation.slug,
    )
    return producer


def record_question(
    *,
    asker: str,
    user: str,
    parts: list[dict[str, Any]],
    correlation_id: str,
    outcomes: list[dict[str, Any]],
    status: int,
    cached: bool,
    milliseconds: int,
) -> HubQuestion:
    """The hub's log: who asked about whom, and how each producer answered."""
    return HubQuestion.objects.create(
        asked_at=clock.now(),
        asker=asker[:300],
        user=user,
        parts=parts,
        correlation_id=correlation_id[:200],
        outcomes=outcomes,
        status=status,
        cached=cached,
        milliseconds=min(milliseconds, 2**31 - 1),
    )
