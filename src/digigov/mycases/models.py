"""Mina ärenden: an organisation's producer setting, and the hub's log of questions."""

from __future__ import annotations

from django.db import models

from digigov.core.models import Organisation


class Producer(models.Model):
    """An organisation's Mina ärenden producer; paused, it answers 503 (maintenance)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="mycases_producer"
    )
    paused = models.BooleanField(default=False)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.organisation.slug}{' (paused)' if self.paused else ''}"


class HubQuestion(models.Model):
    """One question the hub took: who asked, about whom, and how every producer answered.

    `outcomes` lists each producer asked with its status ("OK", "FEL",
    "TIMEOUT") and HTTP code; the events themselves are not kept.
    """

    asked_at = models.DateTimeField()
    asker = models.CharField(max_length=300)  # the calling subsystem, or "portal"
    user = models.CharField(max_length=12)  # anvandare: the person the question is for
    parts = models.JSONField(default=list)
    correlation_id = models.CharField(max_length=200)
    outcomes = models.JSONField(default=list)
    status = models.PositiveSmallIntegerField()  # 200, or 206 when a producer failed
    cached = models.BooleanField(default=False)
    milliseconds = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["user", "asked_at"], name="hub_question_by_user")]

    def __str__(self) -> str:
        return f"{self.asked_at:%Y-%m-%d %H:%M} {self.asker} {self.status}"
