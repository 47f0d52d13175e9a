"""Organisations (tenants) and the tamper-evident audit log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from digigov.core.identifiers import validate_organisation_number


class Organisation(models.Model):
    """A municipality, region or agency running its services on this installation."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "kommun", _("Kommun")
        REGION = "region", _("Region")
        AGENCY = "myndighet", _("Myndighet")

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    organisation_number = models.CharField(
        max_length=10, unique=True, validators=[validate_organisation_number]
    )
    # SCB's kommunkod: four digits, county code then municipality.
    municipality_code = models.CharField(max_length=4, blank=True)
    # The data tracker names staff by role; an organisation may choose to name them.
    name_staff_in_data_tracker = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="kommun", municipality_code__regex=r"^[0-9]{4}$")
                    | (~models.Q(kind="kommun") & models.Q(municipality_code=""))
                ),
                name="municipality_code_only_for_municipalities",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(models.QuerySet[Any]):
    def for_organisation(self, organisation: Organisation) -> OrganisationQuerySet:
        return self.filter(organisation=organisation)


class OrganisationOwned(models.Model):
    """Base for every table whose rows belong to one organisation.

    Reads go through ``Model.objects.for_organisation(org)`` (or a module's
    queries.py helper built on it); ``queries.scoped`` refuses models that do
    not inherit from this class.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)

    objects: ClassVar[OrganisationQuerySet] = OrganisationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One row of an append-only, hash-chained log (docs/adr/0002).

    Each organisation has its own chain, and one chain holds what belongs to
    no organisation. ``entry_hash`` covers every other column and the previous
    row's hash, so a changed, deleted, inserted or reordered row breaks the chain.
    """

    chain = models.CharField(max_length=64)
    sequence = models.PositiveBigIntegerField()
    recorded_at = models.DateTimeField()
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.CharField(max_length=200)
    on_behalf_of = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    purpose = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_chain_sequence"),
        ]
        indexes = [models.Index(fields=["organisation", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.chain}#{self.sequence} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit entries are append-only")


class AuditChainHead(models.Model):
    """The last sequence number and hash of each chain.

    Appending locks this row (SELECT ... FOR UPDATE), which serialises writers
    of one chain on PostgreSQL; it also lets verification notice a cut-off tail.
    """

    chain = models.CharField(max_length=64, primary_key=True)
    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.sequence}"


class AccessRecord(OrganisationOwned):
    """Someone in an organisation looked at a person's data: who, in what role, why.

    The data tracker shows a person these rows (and the exchange's log of
    register reads). Staff are kept by account and by role, so the page can
    name the role alone unless the organisation chooses to name people.
    """

    subject = models.CharField(max_length=12)  # the person whose data was read
    accessed_at = models.DateTimeField()
    actor = models.CharField(max_length=200)
    actor_name = models.CharField(max_length=200, blank=True)
    actor_role = models.CharField(max_length=50, blank=True)
    purpose = models.CharField(max_length=300)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["subject", "accessed_at"], name="access_by_subject")]

    def __str__(self) -> str:
        return f"{self.actor} read {self.object_type} {self.object_id} of {self.subject}"
