"""Messages to people, and their delivery by each channel (the outbox).

A message is written once, in the caller's transaction, with its texts in Swedish and
English as its template gave them; each channel that is to carry it gets a Delivery row,
whose status moves on as the channel reports (GOV.UK Notify's statuses are the model)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from digigov.core.models import OrganisationOwned


class Message(OrganisationOwned):
    """Something an organisation tells a person (or a company, through its people)."""

    class RecipientKind(models.TextChoices):
        PERSON = "person", "Person"
        COMPANY = "company", "Company"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient_kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    # personnummer (12 digits) or organisationsnummer (10)
    recipient = models.CharField(max_length=12, db_index=True)
    message_type = models.CharField(max_length=100)
    template_version = models.PositiveIntegerField()
    subject_sv = models.CharField(max_length=300)
    subject_en = models.CharField(max_length=300)
    body_sv = models.TextField()
    body_en = models.TextField()
    # the case it is about (a public id, so the message needs no knowledge of cases)
    case_public_id = models.UUIDField(null=True, blank=True)
    case_number = models.CharField(max_length=20, blank=True)
    # the level of assurance a sign-in needs to read it (its case's service level)
    loa = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "created_at"])]

    def __str__(self) -> str:
        return self.subject_sv


class Delivery(OrganisationOwned):
    """One channel's carrying of one message: at most one per message and channel."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Mina sidor")

    class Status(models.TextChoices):
        CREATED = "created", _("Skapat")
        QUEUED = "queued", _("I kö")
        SENT = "sent", _("Skickat")
        DELIVERED = "delivered", _("Levererat")
        READ = "read", _("Läst")
        FAILED = "failed", _("Misslyckades")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    updated_at = models.DateTimeField()
    # what the channel reported, as it reported it
    events = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="one_delivery_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.channel} {self.status}"
