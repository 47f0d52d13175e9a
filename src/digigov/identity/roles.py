"""The roles of the platform, one vocabulary: the staff roles an organisation gives,
and who may take a step in a service package's process."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a staff member does in one organisation."""

    CASE_WORKER = "handlaggare", _("Handläggare")
    REGISTRAR = "registrator", _("Registrator")
    ADMINISTRATOR = "administrator", _("Tjänsteadministratör")


# The roles that read and handle cases (a service administrator adapts services only).
CASE_HANDLING = frozenset({Role.CASE_WORKER, Role.REGISTRAR})


class StepActor(StrEnum):
    """Who takes a step of a process: a staff role, the platform itself, or the applicant."""

    CASE_WORKER = Role.CASE_WORKER.value
    REGISTRAR = Role.REGISTRAR.value
    ADMINISTRATOR = Role.ADMINISTRATOR.value
    SYSTEM = "system"
    APPLICANT = "sokande"
