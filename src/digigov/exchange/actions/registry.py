"""The federation registry's actions: members, subsystems, services, access rights,
gateways and certificates, and publishing signed global configurations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ValidationError
from django.db.models import Max

from digigov.core import clock
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.core.transactions import action
from digigov.exchange import ca, configuration
from digigov.exchange.actions.common import _audit, _identifier, _registry
from digigov.exchange.identifiers import MEMBER_CLASSES, BadIdentifier, ClientId, MemberId
from digigov.exchange.models import (
    AccessRight,
    Certificate,
    Gateway,
    Member,
    PublishedConfiguration,
    Registry,
    Service,
    Subsystem,
)


@action
def init_registry(*, actor: Actor, instance: str, validity_hours: int = 24) -> Registry:
    """Make this installation the registry of `instance`: a CA and a configuration key."""
    _identifier(MemberId, instance, "GOV", "0")
    if Registry.objects.exists():
        raise ValidationError("this installation is already a registry", code="exists")
    now = clock.now()
    authority = ca.new_authority(instance, now)
    configuration_key = ca.new_key()
    configuration_certificate = ca.issue(
        authority,
        public_key=configuration_key.public_key(),
        common_name=f"{instance} global configuration",
        organisation=instance,
        purpose="sign",
        now=now,
        days=365 * 10,
    )
    registry = Registry.objects.create(
        instance=instance,
        ca_key_pem=ca.key_pem(authority.key),
        ca_certificate_pem=ca.certificate_pem(authority.certificate),
        configuration_key_pem=ca.key_pem(configuration_key),
        configuration_certificate_pem=ca.certificate_pem(configuration_certificate),
        validity_hours=validity_hours,
        created_at=now,
    )
    _audit(actor, "registry_initialised", instance, validity_hours=validity_hours)
    return registry


@action
def save_member(
    *,
    actor: Actor,
    member_class: str,
    member_code: str,
    name: str,
    organisation: Organisation | None = None,
) -> Member:
    registry = _registry()
    member_id = _identifier(MemberId, registry.instance, member_class, member_code)
    if member_class not in MEMBER_CLASSES:
        raise ValidationError(
            f"the member class must be one of {', '.join(MEMBER_CLASSES)}", code="class"
        )
    if not name.strip():
        raise ValidationError("a member needs a name", code="name")
    member, _created = Member.objects.update_or_create(
        instance=registry.instance,
        member_class=member_class,
        member_code=member_code,
        defaults={"name": name.strip()[:200], "organisation": organisation},
    )
    _audit(actor, "member_saved", str(member_id), name=member.name)
    return member


def member_by_id(member_id: str) -> Member:
    parts = member_id.split("/")
    if len(parts) != 3:
        raise ValidationError(
            f"{member_id!r} is not instance/memberClass/memberCode", code="identifier"
        )
    found = Member.objects.filter(
        instance=parts[0], member_class=parts[1], member_code=parts[2]
    ).first()
    if found is None:
        raise ValidationError(f"no member {member_id}", code="unknown_member")
    return found


def subsystem_by_id(client_id: str) -> Subsystem:
    try:
        client = ClientId.subsystem_of(client_id)
    except BadIdentifier as error:
        raise ValidationError(str(error), code="identifier") from error
    found = Subsystem.objects.filter(
        member=member_by_id(str(client.member)), code=client.subsystem
    ).first()
    if found is None:
        raise ValidationError(f"no subsystem {client_id}", code="unknown_subsystem")
    return found


@action
def add_subsystem(*, actor: Actor, member: Member, code: str) -> Subsystem:
    _identifier(ClientId, member.instance, member.member_class, member.member_code, code)
    subsystem, _created = Subsystem.objects.get_or_create(member=member, code=code)
    _audit(actor, "subsystem_added", str(subsystem))
    return subsystem


@action
def register_service(
    *, actor: Actor, subsystem: Subsystem, code: str, openapi: str = "", description: str = ""
) -> Service:
    _identifier(ClientId, "X", "X", "X", code)
    service, _created = Service.objects.update_or_create(
        subsystem=subsystem,
        code=code,
        defaults={
            "openapi": openapi,
            "description": description[:300],
            "registered_at": clock.now(),
        },
    )
    _audit(
        actor,
        "service_registered",
        str(service),
        openapi_sha256=configuration.openapi_hash(openapi),
    )
    return service


@action
def grant_access(
    *, actor: Actor, service: Service, client: Subsystem, method: str = "", path: str = ""
) -> AccessRight:
    method = method.upper()
    if method and method not in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}:
        raise ValidationError(f"unknown method {method!r}", code="method")
    if path and not path.startswith("/"):
        raise ValidationError("a path starts with /", code="path")
    right = AccessRight.objects.filter(
        service=service, client=client, method=method, path=path, revoked_at__isnull=True
    ).first()
    if right is None:
        right = AccessRight.objects.create(
            service=service, client=client, method=method, path=path, granted_at=clock.now()
        )
        _audit(actor, "access_granted", str(service), client=str(client), method=method, path=path)
    return right


@action
def revoke_access(*, actor: Actor, service: Service, client: Subsystem) -> int:
    revoked = AccessRight.objects.filter(
        service=service, client=client, revoked_at__isnull=True
    ).update(revoked_at=clock.now())
    _audit(actor, "access_revoked", str(service), client=str(client), rights=revoked)
    return revoked


@action
def register_gateway(*, actor: Actor, member: Member, code: str, address: str) -> Gateway:
    if not address.startswith("https://"):
        raise ValidationError("a gateway's address is https://host:port", code="address")
    gateway, _created = Gateway.objects.update_or_create(
        member=member, code=code, defaults={"address": address}
    )
    _audit(actor, "gateway_registered", str(gateway), address=address)
    return gateway


@action
def issue_certificate(
    *,
    actor: Actor,
    member: Member,
    purpose: str,
    public_key_pem: str,
    gateway: Gateway | None = None,
    hosts: list[str] | None = None,
) -> Certificate:
    """The CA certifies a member's signing key, or a gateway's TLS key."""
    registry = _registry()
    if purpose == Certificate.Purpose.TLS and gateway is None:
        raise ValidationError("a TLS certificate is for a gateway", code="gateway")
    public_key = serialization.load_pem_public_key(public_key_pem.encode())
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise ValidationError("the federation's keys are EC P-256", code="key")
    authority = ca.Authority(
        ca.load_key(registry.ca_key_pem), ca.load_certificate(registry.ca_certificate_pem)
    )
    now = clock.now()
    issued = ca.issue(
        authority,
        public_key=public_key,
        common_name=f"{member} {gateway.code if gateway else 'signing'}",
        organisation=member.name,
        purpose=purpose,
        now=now,
        hosts=hosts,
    )
    certificate = Certificate.objects.create(
        purpose=purpose,
        member=member,
        gateway=gateway,
        pem=ca.certificate_pem(issued),
        fingerprint=ca.fingerprint(issued),
        not_before=issued.not_valid_before_utc,
        not_after=issued.not_valid_after_utc,
        issued_at=now,
    )
    _audit(
        actor, "certificate_issued", certificate.fingerprint, purpose=purpose, member=str(member)
    )
    return certificate


@action
def revoke_certificate(*, actor: Actor, fingerprint: str) -> Certificate:
    certificate = Certificate.objects.filter(fingerprint=fingerprint).first()
    if certificate is None:
        raise ValidationError(f"no certificate {fingerprint}", code="unknown_certificate")
    if certificate.revoked_at is None:
        certificate.revoked_at = clock.now()
        certificate.save(update_fields=["revoked_at"])
        _audit(actor, "certificate_revoked", fingerprint, member=str(certificate.member))
    return certificate


def _document(registry: Registry, version: int, now: dt.datetime) -> dict[str, Any]:
    live = Certificate.objects.filter(revoked_at__isnull=True, not_after__gt=now)
    members = []
    for member in Member.objects.filter(instance=registry.instance).order_by("pk"):
        members.append(
            {
                "id": str(member),
                "name": member.name,
                "subsystems": sorted(member.subsystems.values_list("code", flat=True)),
                "signing_certificates": [
                    {"fingerprint": c.fingerprint, "pem": c.pem}
                    for c in live.filter(member=member, purpose=Certificate.Purpose.SIGN).order_by(
                        "pk"
                    )
                ],
            }
        )
    gateways = [
        {
            "member": str(gateway.member),
            "code": gateway.code,
            "address": gateway.address,
            "tls_certificates": list(
                live.filter(gateway=gateway, purpose=Certificate.Purpose.TLS)
                .order_by("pk")
                .values_list("fingerprint", flat=True)
            ),
        }
        for gateway in Gateway.objects.select_related("member").order_by("pk")
    ]
    services = [
        {
            "id": f"{service.subsystem}/{service.code}",
            "description": service.description,
            "openapi_sha256": configuration.openapi_hash(service.openapi),
        }
        for service in Service.objects.select_related("subsystem__member").order_by("pk")
    ]
    rights = [
        {
            "service": f"{right.service.subsystem}/{right.service.code}",
            "client": str(right.client),
            "method": right.method,
            "path": right.path,
        }
        for right in AccessRight.objects.filter(revoked_at__isnull=True)
        .select_related("service__subsystem__member", "client__member")
        .order_by("pk")
    ]
    revoked = list(
        Certificate.objects.filter(revoked_at__isnull=False)
        .order_by("pk")
        .values_list("fingerprint", flat=True)
    )
    return configuration.document(
        instance=registry.instance,
        version=version,
        issued_at=now,
        expires_at=now + dt.timedelta(hours=registry.validity_hours),
        ca_certificates=[registry.ca_certificate_pem],
        members=members,
        gateways=gateways,
        services=services,
        access_rights=rights,
        revoked=revoked,
    )


@action
def publish_configuration(*, actor: Actor) -> PublishedConfiguration:
    """Sign what the registry holds now as the next version of the global configuration."""
    registry = Registry.objects.select_for_update().get(pk=_registry().pk)
    last = PublishedConfiguration.objects.aggregate(last=Max("version"))["last"] or 0
    now = clock.now()
    body = _document(registry, last + 1, now)
    published = PublishedConfiguration.objects.create(
        version=last + 1,
        issued_at=now,
        expires_at=now + dt.timedelta(hours=registry.validity_hours),
        signed=configuration.sign(
            body, registry.configuration_key_pem, registry.configuration_certificate_pem
        ),
    )
    _audit(
        actor,
        "configuration_published",
        f"v{published.version}",
        expires_at=published.expires_at.isoformat(),
    )
    return published


def publish_if_due(*, actor: Actor) -> PublishedConfiguration | None:
    """Re-sign the configuration when half its validity has passed (on a registry)."""
    registry = Registry.objects.first()
    if registry is None:
        return None
    newest = PublishedConfiguration.objects.order_by("-version").first()
    half = dt.timedelta(hours=registry.validity_hours) / 2
    if newest is not None and newest.expires_at - clock.now() > half:
        return None
    return publish_configuration(actor=actor)
