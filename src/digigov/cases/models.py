"""Applications (drafts and submitted), their attachments, and the cases they become."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from digigov.core.models import OrganisationOwned
from digigov.services.models import ServiceVersion


class ApplicantKind(models.TextChoices):
    PERSON = "person", "Person"
    COMPANY = "company", "Company"


class Application(OrganisationOwned):
    """What a person fills in. The applicant and the person who submits are kept
    apart, so acting for someone else (a company, power of attorney) needs no
    change of data."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service_version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT)
    applicant_kind = models.CharField(max_length=10, choices=ApplicantKind.choices)
    # personnummer (12 digits) or organisationsnummer (10 digits)
    applicant_identifier = models.CharField(max_length=12, db_index=True)
    applicant_name = models.CharField(max_length=300)
    # the signed-in person who fills in and submits
    submitted_by = models.CharField(max_length=12, db_index=True)
    answers = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Bumped at every save: a save based on an older revision is refused.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_loa = models.CharField(max_length=100, blank=True)
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["submitted_by", "status", "updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="draft", submitted_at__isnull=True)
                    | models.Q(
                        status="submitted", submitted_at__isnull=False, reference__isnull=False
                    )
                ),
                name="submitted_applications_have_time_and_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.public_id}"


class Attachment(OrganisationOwned):
    """A file a person attached. Stored outside the web root; served only to those entitled."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    field_id = models.CharField(max_length=63)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=300, unique=True)
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.file_name


class RegistrarCounter(OrganisationOwned):
    """The last registrar number given in one series and year.

    Numbers come from locking this row (docs/adr/0005), so they are unique and
    gapless: a rolled-back transaction gives its number back.
    """

    series = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "series", "year"], name="one_counter_per_series_and_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}/{self.last_number}"


class Case(OrganisationOwned):
    """An ärende: one per submitted application, with its registrar number."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="case")
    service_version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT)
    series = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    # Given last in the opening transaction (docs/adr/0005), so briefly empty.
    number = models.PositiveIntegerField(null=True)
    registrar_number = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=63)
    applicant_kind = models.CharField(max_length=10, choices=ApplicantKind.choices)
    applicant_identifier = models.CharField(max_length=12, db_index=True)
    submitted_by = models.CharField(max_length=12, db_index=True)
    secret = models.BooleanField(default=False)
    opened_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "series", "year", "number"], name="unique_registrar_number"
            )
        ]

    def __str__(self) -> str:
        return self.registrar_number


class CaseEvent(OrganisationOwned):
    """Something that happened in a case, in the shape Mina ärenden reads."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=120)  # e.g. EXEMPELBY.BYGGLOV.INKOMMEN
    occurred_at = models.DateTimeField()
    actor = models.CharField(max_length=200)
    resident_must_act = models.BooleanField(default=False)
    finished = models.BooleanField(default=False)
    data = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["case", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.case} {self.event_type}"


class Document(OrganisationOwned):
    """A registered document of a case (OSL 5 kap.): date, direction, counterpart, title."""

    class Direction(models.TextChoices):
        INCOMING = "in", "Incoming"
        OUTGOING = "out", "Outgoing"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    registered_at = models.DateTimeField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    counterpart = models.CharField(max_length=300)
    title = models.CharField(max_length=300)
    # the legal ground when secret, e.g. "OSL 26 kap. 1 §"; empty when public
    secrecy_ground = models.CharField(max_length=100, blank=True)
    attachment = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )

    def __str__(self) -> str:
        return self.title
