"""The exchange's tables: the federation registry, and each gateway's own state.

The registry role (docs/adr/0007) keeps members, subsystems, services, access
rights and certificates, and publishes them as signed global configurations.
The gateway role keeps its keys, the anchor it trusts and the last verified
configuration. One installation may hold both roles (the embedded demo).
Private keys are kept here as PEM; an operator who wants them in files or an
HSM replaces `GatewayKey` and `Registry` keys, nothing else.
"""

from __future__ import annotations

from django.db import models

from digigov.core.models import Organisation

# -- the registry role ---------------------------------------------------------------


class Registry(models.Model):
    """This installation is the federation registry of one instance (at most one row)."""

    instance = models.CharField(max_length=64, unique=True)
    ca_key_pem = models.TextField()
    ca_certificate_pem = models.TextField()
    configuration_key_pem = models.TextField()
    configuration_certificate_pem = models.TextField()
    # How long a published configuration is valid: gateways refuse traffic after it.
    validity_hours = models.PositiveIntegerField(default=24)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.instance


class Member(models.Model):
    """An organisation in the federation: `instance/memberClass/memberCode`."""

    instance = models.CharField(max_length=64)
    member_class = models.CharField(max_length=16)
    member_code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    # The organisation on this installation, when it is one.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "member_class", "member_code"], name="one_member_per_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}"


class Subsystem(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="subsystems")
    code = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "code"], name="one_subsystem_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.member}/{self.code}"


class Service(models.Model):
    """A service a subsystem offers, described by an OpenAPI document."""

    subsystem = models.ForeignKey(Subsystem, on_delete=models.CASCADE, related_name="services")
    code = models.CharField(max_length=64)
    description = models.CharField(max_length=300, blank=True)
    openapi = models.TextField(blank=True)
    registered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subsystem", "code"], name="one_service_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.subsystem}/{self.code}"


class AccessRight(models.Model):
    """A client subsystem may call a service: all of it, or one method and path prefix."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="access_rights")
    client = models.ForeignKey(Subsystem, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10, blank=True)  # "" any
    path = models.CharField(max_length=300, blank=True)  # "" any; else a prefix
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "client", "method", "path"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_right_per_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} -> {self.service} {self.method or '*'} {self.path or '*'}"


class Gateway(models.Model):
    """A member's gateway, reached by other gateways at `address` (https://host:port)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="gateways")
    code = models.CharField(max_length=64)
    address = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "code"], name="one_gateway_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.member}/{self.code}"


class Certificate(models.Model):
    """A certificate the federation CA issued: a member's signing key or a gateway's TLS key."""

    class Purpose(models.TextChoices):
        SIGN = "sign", "Signing"
        TLS = "tls", "TLS"

    purpose = models.CharField(max_length=4, choices=Purpose.choices)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="certificates")
    gateway = models.ForeignKey(
        Gateway, null=True, blank=True, on_delete=models.CASCADE, related_name="certificates"
    )
    pem = models.TextField()
    fingerprint = models.CharField(max_length=64, unique=True)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} {self.fingerprint[:16]} {self.member}"


class PublishedConfiguration(models.Model):
    """A signed global configuration as published (a JWS), newest version last."""

    version = models.PositiveIntegerField(unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    signed = models.TextField()

    def __str__(self) -> str:
        return f"v{self.version} until {self.expires_at:%Y-%m-%d %H:%M}"


# -- the gateway role ------------------------------------------------------------------


class Anchor(models.Model):
    """The configuration anchor this installation's gateways trust."""

    instance = models.CharField(max_length=64, unique=True)
    certificate_pem = models.TextField()
    # Where to fetch new configurations from (the registry's publishing address).
    source = models.CharField(max_length=300, blank=True)
    installed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.instance


class VerifiedConfiguration(models.Model):
    """The newest configuration that verified against the anchor: used until it expires."""

    instance = models.CharField(max_length=64, unique=True)
    version = models.PositiveIntegerField()
    expires_at = models.DateTimeField()
    signed = models.TextField()
    verified_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.instance} v{self.version}"


class GatewayKey(models.Model):
    """A private key of a gateway on this installation, with the certificate issued for it."""

    member_id = models.CharField(max_length=200)  # instance/class/code
    gateway_code = models.CharField(max_length=64)
    purpose = models.CharField(max_length=4, choices=Certificate.Purpose.choices)
    private_key_pem = models.TextField()
    certificate_pem = models.TextField(blank=True)  # empty until the CA has issued it
    fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    # A new key is used once it is in the configuration; an old one until it is retired.
    active_from = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member_id", "gateway_code", "purpose"])]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.gateway_code} {self.purpose} {self.fingerprint[:16]}"


class LocalService(models.Model):
    """A service this installation provides over the exchange: where the gateway sends calls."""

    member_id = models.CharField(max_length=200)
    subsystem = models.CharField(max_length=64)
    code = models.CharField(max_length=64)
    base_url = models.CharField(max_length=500)
    openapi = models.TextField(blank=True)
    # Sent by the gateway as X-Digigov-Gateway-Token, so the service answers only its gateway.
    token = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member_id", "subsystem", "code"], name="one_local_service"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.subsystem}/{self.code} -> {self.base_url}"


class MessageLogEntry(models.Model):
    """A message a gateway sent or received, with its signature, in a hash chain per gateway.

    `entry_hash` covers every other column and the previous entry's hash, so
    a changed, removed, inserted or reordered entry breaks the chain
    (`digigov exchange verify-log`).
    """

    gateway = models.CharField(max_length=300)  # member id / gateway code
    sequence = models.PositiveBigIntegerField()
    logged_at = models.DateTimeField()
    side = models.CharField(max_length=6)  # client (consumer's gateway) or server (provider's)
    direction = models.CharField(max_length=8)  # request or response
    message_id = models.CharField(max_length=100)
    client = models.CharField(max_length=300)
    service = models.CharField(max_length=300)
    user_id = models.CharField(max_length=100, blank=True)
    issue = models.CharField(max_length=300, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    signature = models.TextField()
    body_sha256 = models.CharField(max_length=64)
    body = models.BinaryField(null=True, blank=True)  # only when full bodies are logged
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gateway", "sequence"], name="one_log_entry_per_place")
        ]
        indexes = [models.Index(fields=["gateway", "logged_at"], name="log_by_time")]

    def __str__(self) -> str:
        return f"{self.gateway}#{self.sequence} {self.side} {self.direction} {self.message_id}"


class LocalGateway(models.Model):
    """A gateway this installation runs (`digigov gateway`): its member and its ports.

    The client side speaks X-Road's REST protocol to the organisation's own
    systems; the server side speaks mutual TLS to other gateways (its public
    address is the registry's `Gateway.address`).
    """

    member_id = models.CharField(max_length=200)
    code = models.CharField(max_length=64)
    host = models.CharField(max_length=100, default="127.0.0.1")
    client_port = models.PositiveIntegerField()
    server_port = models.PositiveIntegerField()
    # The client side over TLS as well, for subsystems that must connect so (0: off).
    client_tls_port = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member_id", "code"], name="one_local_gateway")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.code} :{self.client_port}/:{self.server_port}"


class KnownSigningCertificate(models.Model):
    """A member's signing certificate seen in an accepted configuration, kept after it
    leaves the configuration, so the message log's signatures verify for ever."""

    member_id = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, unique=True)
    certificate_pem = models.TextField()
    first_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.member_id} {self.fingerprint[:12]}"


class WitnessedCheckpoint(models.Model):
    """A checkpoint another member sent this installation's witness service (`vittne`):
    the heads of its logs at a time, kept here, outside that member's database."""

    client = models.CharField(max_length=300)  # the sending subsystem (X-Road-Client)
    made_at = models.DateTimeField()
    document = models.JSONField()
    message_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client", "made_at"], name="witnessed_by_client")]

    def __str__(self) -> str:
        return f"{self.client} @ {self.made_at}"


class LocalClient(models.Model):
    """How one of this member's subsystems (or the member itself, subsystem "") may reach
    its gateway's client side: X-Road's connection types. `http` takes it either way;
    `https` only over TLS; `https-auth` (SSLAUTH) only over TLS with one of its own
    certificates, so no other local process can act as that subsystem."""

    class Connection(models.TextChoices):
        HTTP = "http", "HTTP"
        HTTPS = "https", "HTTPS"
        HTTPS_AUTH = "https-auth", "HTTPS with a client certificate"

    member_id = models.CharField(max_length=200)
    subsystem = models.CharField(max_length=64, blank=True)
    connection = models.CharField(max_length=12, choices=Connection.choices)
    certificates = models.JSONField(default=list, blank=True)  # PEM

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member_id", "subsystem"], name="one_local_client")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.subsystem} {self.connection}"


class LogArchive(models.Model):
    """A segment of a gateway's message log, exported to a signed file and removed here.

    The chain goes on from `last_hash`, so the log still verifies; the file
    verifies by its SHA-256 and the gateway member's signature over it.
    """

    gateway = models.CharField(max_length=300)
    first_sequence = models.PositiveBigIntegerField()
    last_sequence = models.PositiveBigIntegerField()
    first_previous_hash = models.CharField(max_length=64)
    last_hash = models.CharField(max_length=64)
    entries = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    signature = models.TextField()
    file_name = models.CharField(max_length=500)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "first_sequence"], name="one_archive_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.gateway} #{self.first_sequence}-{self.last_sequence}"
