"""Installed service packages: one row per organisation, service and version."""

from __future__ import annotations

from django.db import models

from digigov.core.models import OrganisationOwned


class ServiceVersion(OrganisationOwned):
    """One version of a service package as an organisation installed it.

    A new version becomes current for new applications; applications already
    started keep the version they began with (they point at this row).
    """

    code = models.CharField(max_length=32)
    version = models.CharField(max_length=20)
    name_sv = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    description_sv = models.TextField()
    description_en = models.TextField()
    spec = models.JSONField()
    # Copied from the spec so that lists of services need not load whole packages.
    loa = models.CharField(max_length=100)
    applicant_kinds = models.JSONField(default=list)
    # Lower-case, lightly stemmed words from names, descriptions and search words.
    search_text = models.TextField()
    is_current = models.BooleanField(default=True)
    installed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code", "version"], name="one_row_per_service_version"
            ),
            models.UniqueConstraint(
                fields=["organisation", "code"],
                condition=models.Q(is_current=True),
                name="one_current_version_per_service",
            ),
        ]
        indexes = [models.Index(fields=["is_current", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.version} ({self.organisation_id})"

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_sv

    def description(self, language: str) -> str:
        return self.description_en if language == "en" else self.description_sv
