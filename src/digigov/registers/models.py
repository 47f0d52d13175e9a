"""Base registers: population, property and companies (synthetic data in demo and tests).

An installation in the register role serves these; others ask through
``registers.client`` (which the exchange issue routes over the federation).
"""

from __future__ import annotations

from django.db import models

from digigov.core.identifiers import validate_organisation_number, validate_person_identifier


class PopulationRecord(models.Model):
    """A person in the population register (folkbokföringen)."""

    personal_identity_number = models.CharField(
        max_length=12, unique=True, validators=[validate_person_identifier]
    )
    given_name = models.CharField(max_length=200)
    surname = models.CharField(max_length=200)
    street = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=5)
    city = models.CharField(max_length=100)
    municipality_code = models.CharField(max_length=4)
    # People registered at the same address as one household share this key.
    household = models.CharField(max_length=40, db_index=True)
    date_of_birth = models.DateField(null=True, blank=True)
    # Skyddad folkbokföring: the address is never given out, over the exchange or otherwise.
    protected_identity = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.given_name} {self.surname}"


class Guardian(models.Model):
    """A guardian (vårdnadshavare) of a minor in the population register."""

    child = models.ForeignKey(PopulationRecord, on_delete=models.CASCADE, related_name="guardians")
    personal_identity_number = models.CharField(max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "personal_identity_number"], name="one_guardian_row_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.personal_identity_number} for {self.child_id}"


class PropertyRecord(models.Model):
    """A property unit (fastighet) in the property register."""

    designation = models.CharField(max_length=200, unique=True)
    municipality_code = models.CharField(max_length=4)
    area_square_metres = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.designation


class PropertyOwner(models.Model):
    property = models.ForeignKey(PropertyRecord, on_delete=models.CASCADE, related_name="owners")
    # A personnummer (12 digits) or an organisationsnummer (10 digits).
    owner_identifier = models.CharField(max_length=12, db_index=True)
    share = models.CharField(max_length=10, default="1/1")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["property", "owner_identifier"], name="one_owner_row")
        ]

    def __str__(self) -> str:
        return f"{self.owner_identifier} owns {self.share} of {self.property}"


class CompanyRecord(models.Model):
    """A company in the companies register (näringslivsregistret)."""

    organisation_number = models.CharField(
        max_length=10, unique=True, validators=[validate_organisation_number]
    )
    name = models.CharField(max_length=300)
    legal_form = models.CharField(max_length=50)
    street = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=5)
    city = models.CharField(max_length=100)
    # How many signatories must sign together (firmateckning): 1 = each alone.
    signatories_required = models.PositiveSmallIntegerField(default=1)

    def __str__(self) -> str:
        return self.name


class CompanySignatory(models.Model):
    company = models.ForeignKey(CompanyRecord, on_delete=models.CASCADE, related_name="signatories")
    personal_identity_number = models.CharField(max_length=12, db_index=True)
    name = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "personal_identity_number"], name="one_signatory_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} signs for {self.company}"


class RegisterAccess(models.Model):
    """A question the register node answered about a person: for the data tracker.

    Who asked (the calling subsystem over the exchange, and the person or case
    worker it named), why (X-Road-Issue), which register and when.
    """

    subject = models.CharField(max_length=12)
    accessed_at = models.DateTimeField()
    register = models.CharField(max_length=20)  # population, property, company
    client = models.CharField(max_length=300)  # instance/class/code/subsystem
    client_name = models.CharField(max_length=200, blank=True)
    user_id = models.CharField(max_length=100, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["subject", "accessed_at"], name="register_access_by_subject")
        ]

    def __str__(self) -> str:
        return f"{self.client} read {self.register} of {self.subject}"
