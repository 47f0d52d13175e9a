"""Residents signed in with e-ID, staff roles, and the built-in test e-ID provider's state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from digigov.core.identifiers import validate_person_identifier
from digigov.core.models import OrganisationOwned
from digigov.identity import roles


class Resident(models.Model):
    """A person who has signed in with e-ID at least once."""

    personal_identity_number = models.CharField(
        max_length=12, unique=True, validators=[validate_person_identifier]
    )
    given_name = models.CharField(max_length=200)
    surname = models.CharField(max_length=200)
    display_name = models.CharField(max_length=400)
    first_signed_in_at = models.DateTimeField()
    last_signed_in_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.display_name


class StaffMembership(OrganisationOwned):
    """A staff account's role in one organisation."""

    Role = roles.Role  # the one vocabulary of roles

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_role_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.organisation}"


class FailedStaffSignIn(models.Model):
    """A failed staff password attempt, counted for throttling."""

    username = models.CharField(max_length=150, db_index=True)
    client_address = models.CharField(max_length=45, db_index=True)
    attempted_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.client_address}"


class StaffSignInAddress(models.Model):
    """An address a staff member signed in from, and when last: an office's address that
    guesses across accounts is throttled for everyone but those who work from it."""

    username = models.CharField(max_length=150)
    client_address = models.CharField(max_length=45)
    last_signed_in_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["username", "client_address"], name="one_row_per_staff_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.client_address}"


class ProviderKey(models.Model):
    """The test e-ID provider's signing key, made on first use."""

    key_id = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key_id


class TestClient(models.Model):
    """A relying party an integrator registered with the test e-ID provider, to try their
    own system against it (`digigov test-eid client add`). The installation itself is
    the built-in client and needs no row."""

    __test__ = False  # not a pytest test class, despite the name

    client_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    secret_hash = models.CharField(max_length=64)  # SHA-256 of 256 random bits
    redirect_uris = models.JSONField(default=list)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.client_id


class AuthorizationCode(models.Model):
    """A code the test e-ID provider handed out; it can be redeemed once."""

    code_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    redirect_uri = models.CharField(max_length=1000)
    code_challenge = models.CharField(max_length=128)
    nonce = models.CharField(max_length=255, blank=True)
    scope = models.CharField(max_length=1000, default="openid")
    claims = models.JSONField()
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code_hash[:8]


class AccessToken(models.Model):
    """An access token of the test e-ID provider, for its userinfo endpoint."""

    token_hash = models.CharField(max_length=64, unique=True)
    # the code it was issued for: a replayed code revokes it (RFC 6749 4.1.2)
    authorization_code = models.ForeignKey(
        AuthorizationCode, null=True, on_delete=models.CASCADE, related_name="access_tokens"
    )
    claims = models.JSONField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.token_hash[:8]


class ApiCredential(OrganisationOwned):
    """A key with which one of an organisation's own systems calls the API.

    The key is shown once, when made; only its SHA-256 is kept (it is 256
    random bits, so a slow hash adds nothing). It acts in one process role and
    only within its scopes, and only on its own organisation's data: the cases
    of its services (all when none are named), secret cases only when granted.
    """

    class Scope(models.TextChoices):
        CASES_READ = "cases:read", _("Läsa ärenden")
        CASES_WRITE = "cases:write", _("Ändra ärenden")

    name = models.CharField(max_length=100)
    key_id = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    role = models.CharField(max_length=20, choices=StaffMembership.Role.choices)
    # Narrowed to these services' cases (codes; empty: every service) ...
    services = models.JSONField(default=list, blank=True)
    # ... and secret cases only with this explicit grant (as Open Zaak's confidentiality).
    secret_cases = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id}) @ {self.organisation}"


class SimulatedBankIdOrder(models.Model):
    """An order at the BankID simulator (identity.bankid.simulator): what the relying party
    asked, where the virtual app has got with it, and what completes it. BankID keeps
    such state on its own servers; the simulator keeps it here, so every process of the
    installation (the simulator's listener, the virtual app's pages) sees the same."""

    class Status(models.TextChoices):
        PENDING = "pending"
        FAILED = "failed"
        COMPLETE = "complete"

    order_ref = models.CharField(max_length=36, unique=True)
    operation = models.CharField(max_length=4)  # auth or sign
    # the relying party: SHA-256 of its client certificate; only it may collect or cancel
    relying_party = models.CharField(max_length=64)
    end_user_ip = models.CharField(max_length=45)
    personal_number = models.CharField(max_length=12, blank=True)  # requirement.personalNumber
    user_visible_data = models.TextField(blank=True)  # decoded, simpleMarkdownV1
    user_non_visible_data = models.TextField(blank=True)  # as sent (base64)
    return_url = models.CharField(max_length=1024, blank=True)
    return_risk = models.BooleanField(default=False)
    auto_start_token = models.CharField(max_length=36, unique=True)
    qr_start_token = models.CharField(max_length=36, unique=True)
    qr_start_secret = models.CharField(max_length=36)
    created_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    hint_code = models.CharField(max_length=32, default="outstandingTransaction")
    # the person whose virtual app picked the order up, and from where
    person = models.CharField(max_length=12, blank=True, db_index=True)
    device_ip = models.CharField(max_length=45, blank=True)
    completion = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.operation} {self.order_ref} {self.status}/{self.hint_code}"


class BankIdSimulatorFault(models.Model):
    """A fault the BankID simulator plays, to try a relying party's handling of it: the
    service in maintenance (503) or too slow to answer. One row; none is no fault."""

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance", _("Underhåll (503)")
        TIMEOUT = "timeout", _("Svarar inte i tid")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    set_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.kind


class SignIn(models.Model):
    """One sign-in of a resident, with the evidence the e-ID gave (an ID token, BankID's
    completion data with its signature and OCSP response, a SAML assertion): what the
    session refers to, and what shows later how the person was identified."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="sign_ins")
    provider = models.CharField(max_length=40)
    method = models.CharField(max_length=10)  # oidc, bankid, saml
    loa = models.CharField(max_length=200)
    signed_in_at = models.DateTimeField()
    evidence = models.JSONField(default=dict)
    # SHA-256 of the evidence as JSON with sorted keys, also in the audit row
    evidence_digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.resident} {self.method}/{self.provider} {self.signed_in_at:%Y-%m-%d %H:%M}"


class Signature(models.Model):
    """A signature with e-ID: who signed what, when, and the provider's evidence (BankID's
    signature XML and OCSP response), checked when made and checkable again later
    (`digigov signatures verify`). `purpose` says what it signs, for the module that
    asked (an application: `application:<public id>`)."""

    purpose = models.CharField(max_length=100, db_index=True)
    signer = models.CharField(max_length=12, validators=[validate_person_identifier])
    signer_name = models.CharField(max_length=400)
    method = models.CharField(max_length=10)  # bankid
    loa = models.CharField(max_length=200)
    text = models.TextField()  # what the person was shown and signed
    digest = models.CharField(max_length=64)  # SHA-256 (hex) of the document signed unseen
    evidence = models.JSONField(default=dict)
    signed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.signer_name} {self.purpose} {self.signed_at:%Y-%m-%d %H:%M}"


class StaffEid(models.Model):
    """A staff account's e-ID: the person's number, so a sign-in with e-ID (for example
    SITHS or Freja organisation ID through Sweden Connect) finds their account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="eid"
    )
    personal_identity_number = models.CharField(
        max_length=12, unique=True, validators=[validate_person_identifier]
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.personal_identity_number})"


class StaffSecondFactor(models.Model):
    """A password account's second factor: a TOTP secret (sealed with a key derived from
    the installation's secret key), confirmed once with a code, and the last step used."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor"
    )
    sealed_secret = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user} ({'confirmed' if self.confirmed_at else 'not confirmed'})"


class StaffPolicy(OrganisationOwned):
    """What an organisation asks of its staff's sign-in: a second factor after the
    password (e-ID sign-in needs none)."""

    second_factor_required = models.BooleanField(
        default=False, verbose_name=_("Kräv engångskod efter lösenord")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="one_staff_policy_each")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {'second factor' if self.second_factor_required else '-'}"
