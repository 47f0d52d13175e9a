"""Telling people: `send` writes the message and its deliveries in the caller's transaction
(so a message exists exactly when what it tells of does); `mark_read` records that the
person opened it. Callers decide whom to tell; this module decides how."""

from __future__ import annotations

from typing import Any

from django.db import connection

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.core.transactions import action
from digigov.messages import texts
from digigov.messages.models import Delivery, Message


def send(
    *,
    actor: Actor,
    organisation: Organisation,
    recipient: str,
    message_type: str,
    data: dict[str, Any],
    loa: str,
    case_public_id: Any = None,
    case_number: str = "",
) -> Message:
    """Tell a person something. Call it inside the transaction that makes what it tells of:
    the message is kept, or neither is. The portal inbox always holds it."""
    if not connection.in_atomic_block:
        raise RuntimeError("messages.send belongs in the caller's transaction")
    rendered = texts.render(message_type, data)
    now = clock.now()
    message = Message.objects.create(
        organisation=organisation,
        recipient_kind=Message.RecipientKind.PERSON,
        recipient=recipient,
        message_type=message_type,
        template_version=rendered.version,
        subject_sv=rendered.subject["sv"][:300],
        subject_en=rendered.subject["en"][:300],
        body_sv=rendered.body["sv"],
        body_en=rendered.body["en"],
        case_public_id=case_public_id,
        case_number=case_number,
        loa=loa,
        created_at=now,
    )
    Delivery.objects.create(
        organisation=organisation,
        message=message,
        channel=Delivery.Channel.PORTAL,
        status=Delivery.Status.DELIVERED,  # the inbox holds it as soon as it exists
        updated_at=now,
        events=[{"status": "delivered", "at": now.isoformat()}],
    )
    audit.record(
        actor=actor,
        action="message.created",
        organisation=organisation,
        object_type="message",
        object_id=message.public_id,
        data={"type": message_type, "case": case_number, "channels": ["portal"]},
    )
    return message


@action
def mark_read(*, actor: Actor, message: Message) -> None:
    """The person opened the message in the portal: the first time is its read receipt."""
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if locked.read_at is not None:
        return
    now = clock.now()
    locked.read_at = now
    locked.save(update_fields=["read_at"])
    delivery = Delivery.objects.select_for_update().get(
        message=locked, channel=Delivery.Channel.PORTAL
    )
    delivery.status = Delivery.Status.READ
    delivery.updated_at = now
    delivery.events = [*delivery.events, {"status": "read", "at": now.isoformat()}]
    delivery.save(update_fields=["status", "updated_at", "events"])
    audit.record(
        actor=actor,
        action="message.read",
        organisation=locked.organisation,
        object_type="message",
        object_id=locked.public_id,
    )
