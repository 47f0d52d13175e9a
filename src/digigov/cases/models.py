"""Applications (drafts and submitted), their attachments, and the cases they become."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    # What the registers filled in at the start (services.prefill.Prefill.stored):
    # which field came from which register, the choices found, the registers not reached.
    prefilled = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Bumped at every save: a save based on an older revision is refused.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_loa = models.CharField(max_length=100, blank=True)
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    # What the applicant signs with e-ID (a package with `signing.required`): the text they
    # read and the application's PDF, as it was when signing began; signatures
    # (identity.Signature, purpose "application:<public id>") cover its SHA-256.
    signing_text = models.TextField(blank=True)
    signing_document = models.BinaryField(null=True, blank=True)
    signing_digest = models.CharField(max_length=64, blank=True)
    # A company that signs with several together (firmateckning i förening): how many
    # signatures the register asked for when signing began; the others asked are CoSigners.
    signatures_required = models.PositiveSmallIntegerField(default=1)
    # The signatures its filing counted (set when it is submitted; cases.signing.counted).
    signatures = models.ManyToManyField("identity.Signature", blank=True, related_name="+")

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


class CoSigner(OrganisationOwned):
    """Another of a company's signatories, asked through the portal to sign an application
    with the person who filled it in (the register's firmateckning, read when signing began)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cosigners")
    personal_identity_number = models.CharField(max_length=12, db_index=True)
    name = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "personal_identity_number"], name="one_cosigner_row"
            )
        ]

    def __str__(self) -> str:
        return self.name


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
    """An ärende: one per submitted application, with its registrar number.

    The clock fields are computed by cases.clocks from the package's rules and
    the case's history at every change, and kept here so the queue can sort
    and filter a million cases by them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="case")
    service_version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT)
    service_code = models.CharField(max_length=32)
    series = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    # Given last in the opening transaction (docs/adr/0005), so briefly empty.
    number = models.PositiveIntegerField(null=True)
    registrar_number = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=63)
    resident_must_act = models.BooleanField(default=False)
    finished = models.BooleanField(default=False)
    applicant_kind = models.CharField(max_length=10, choices=ApplicantKind.choices)
    applicant_identifier = models.CharField(max_length=12)
    applicant_name = models.CharField(max_length=300, blank=True)
    submitted_by = models.CharField(max_length=12)
    secret = models.BooleanField(default=False)
    opened_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The statutory clock (cases.clocks): the day it started running (None while
    # it waits for a complete application), the deadline with pauses and any
    # extension, and whether it is paused now.
    clock_started_on = models.DateField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    clock_paused = models.BooleanField(default=False)
    extended_days = models.PositiveIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Bumped at every change: a change based on an older revision is refused.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "series", "year", "number"], name="unique_registrar_number"
            )
        ]
        indexes = [
            # The queue: an organisation's open (or finished) cases by deadline,
            # filtered by state, case worker or service: each an index range scan.
            models.Index(fields=["organisation", "finished", "deadline"], name="case_queue"),
            models.Index(
                fields=["organisation", "finished", "state", "deadline"],
                name="case_queue_by_state",
            ),
            models.Index(
                fields=["organisation", "finished", "assigned_to", "deadline"],
                name="case_queue_by_worker",
            ),
            models.Index(
                fields=["organisation", "finished", "service_code", "deadline"],
                name="case_queue_by_service",
            ),
            # A person's own cases, newest first.
            models.Index(fields=["applicant_identifier", "opened_at"], name="case_by_applicant"),
            models.Index(fields=["submitted_by", "opened_at"], name="case_by_submitter"),
            models.Index(fields=["organisation", "registrar_number"], name="case_by_number"),
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
    """A registered document of a case (OSL 5 kap.): date, direction, counterpart, title.

    Its number in the case (`BN 2026/00042-3`) is its place in the order of
    registration. The content is an attachment the applicant gave, a file the
    platform made (a decision), or a text (a message, a request, an answer).
    """

    class Direction(models.TextChoices):
        INCOMING = "in", "Incoming"
        OUTGOING = "out", "Outgoing"

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Ansökan")
        ATTACHMENT = "attachment", _("Bilaga")
        COMPLETION_REQUEST = "completion_request", _("Begäran om komplettering")
        COMPLETION = "completion", _("Komplettering")
        COMMUNICATION = "communication", _("Kommunicering")
        COMMENT = "comment", _("Yttrande")
        EXTENSION = "extension", _("Underrättelse om förlängd handläggningstid")
        DECISION = "decision", _("Beslut")
        NOTE = "note", _("Tjänsteanteckning")
        DOCUMENT = "document", _("Handling")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DOCUMENT)
    registered_at = models.DateTimeField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    counterpart = models.CharField(max_length=300)
    title = models.CharField(max_length=300)
    # the legal ground when secret, e.g. "OSL 26 kap. 1 §"; empty when public
    secrecy_ground = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True)
    attachment = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )
    # a file the platform made (a decision): stored like attachments
    storage_name = models.CharField(max_length=300, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="one_number_per_document")
        ]
        # The public diary: an organisation's documents, newest first.
        indexes = [models.Index(fields=["organisation", "registered_at"], name="diary")]

    def __str__(self) -> str:
        return self.title

    @property
    def secret(self) -> bool:
        return bool(self.secrecy_ground)

    @property
    def number(self) -> str:
        return f"{self.case.registrar_number}-{self.sequence}"


class CaseRequest(OrganisationOwned):
    """Something the applicant is asked for by a date: a completion or their comments."""

    class Kind(models.TextChoices):
        COMPLETION = "completion", _("Komplettering")
        COMMUNICATION = "communication", _("Kommunicering")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.TextField()
    due_on = models.DateField()
    sent_at = models.DateTimeField()
    sent_by = models.CharField(max_length=200)
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="request")
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.OneToOneField(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )

    class Meta:
        constraints = [
            # At most one open request per case at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(answered_at__isnull=True),
                name="one_open_request_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.due_on}"


class Decision(OrganisationOwned):
    """The decision in a case, with its reasons and how to appeal (FL 32-33 §§)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=63)
    outcome_label_sv = models.CharField(max_length=300)
    outcome_label_en = models.CharField(max_length=300)
    outcome_text_sv = models.TextField()
    outcome_text_en = models.TextField()
    reasons = models.TextField()
    appeal_text_sv = models.TextField()
    appeal_text_en = models.TextField()
    appeal_within_days = models.PositiveIntegerField()
    decided_at = models.DateTimeField()
    decided_by = models.CharField(max_length=200)
    decided_by_name = models.CharField(max_length=300)
    # The fee at decision, after any reduction for a late decision (PBL 12 kap. 8 a §).
    fee = models.DecimalField(max_digits=12, decimal_places=0, null=True, blank=True)
    fee_before_reduction = models.DecimalField(
        max_digits=12, decimal_places=0, null=True, blank=True
    )
    weeks_late = models.PositiveIntegerField(default=0)
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="decision")
    # The case worker's e-ID signature over the decision's terms (a package with
    # `signing.decisions`; cases.signing.decision_to_sign).
    signature = models.ForeignKey(
        "identity.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.case} {self.outcome}"
