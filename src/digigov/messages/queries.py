"""Reading messages: a person's own, at the level their sign-in meets."""

from __future__ import annotations

import uuid

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from digigov.identity import loa as levels
from digigov.messages.models import Message


def inbox_of(person: str, loa: str) -> QuerySet[Message]:
    """The person's messages that a sign-in at `loa` may read, unread first, newest first."""
    return (
        Message.objects.filter(
            recipient_kind=Message.RecipientKind.PERSON,
            recipient=person,
            loa__in=levels.met_by(loa),
        )
        .select_related("organisation")
        .annotate(unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
        .order_by("-unread", "-created_at", "-pk")
    )


def needed(person: str, loa: str) -> str | None:
    """The level to sign in at to read all the person's messages, when this sign-in's does
    not (they are not listed until then); None when it reads them all."""
    hidden = set(
        Message.objects.filter(recipient_kind=Message.RecipientKind.PERSON, recipient=person)
        .exclude(loa__in=levels.met_by(loa))
        .values_list("loa", flat=True)
        .distinct()
    )
    return max(hidden, key=levels.level) if hidden else None


def message_for(person: str, public_id: str, loa: str) -> Message | None:
    try:
        parsed = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return inbox_of(person, loa).filter(public_id=parsed).first()


def unread_count(person: str, loa: str) -> int:
    return inbox_of(person, loa).filter(read_at__isnull=True).count()


def of_case(organisation_id: int, case_public_id: uuid.UUID) -> list[Message]:
    """What the organisation told the applicant about one case, oldest first, with how each
    channel carried it (for the case's staff)."""
    return list(
        Message.objects.filter(organisation_id=organisation_id, case_public_id=case_public_id)
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    )
