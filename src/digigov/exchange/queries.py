"""Reads of the exchange's tables."""

from __future__ import annotations

import hmac

from digigov.core.models import Organisation
from digigov.exchange import ca, configuration
from digigov.exchange.configuration import GlobalConf
from digigov.exchange.identifiers import ClientId, ServiceId
from digigov.exchange.models import (
    Anchor,
    GatewayKey,
    LocalGateway,
    LocalService,
    Member,
    PublishedConfiguration,
    VerifiedConfiguration,
)


def newest_configuration() -> PublishedConfiguration | None:
    return PublishedConfiguration.objects.order_by("-version").first()


def service_for_token(token: str) -> LocalService | None:
    """The local service a gateway's token belongs to (compared in constant time)."""
    if not token:
        return None
    for service in LocalService.objects.exclude(token=""):
        if hmac.compare_digest(service.token, token):
            return service
    return None


def member_name(member_id: str) -> str:
    """The name the global configuration in use gives a member ("" when unknown)."""
    conf = configuration_in_use()
    return (conf.member_name(member_id) or "") if conf is not None else ""


def gateway_of(organisation: Organisation) -> tuple[str, str] | None:
    """The member id of an organisation and the client side of its gateway here."""
    member = Member.objects.filter(organisation=organisation).first()
    if member is None:
        return None
    local = LocalGateway.objects.filter(member_id=str(member)).first()
    if local is None:
        return None
    return str(member), f"http://{local.host}:{local.client_port}"


def member_id_of(organisation: Organisation) -> str | None:
    member = Member.objects.filter(organisation=organisation).first()
    return str(member) if member is not None else None


def gateway_url_of(member_id: str) -> str | None:
    """The client side of a member's gateway on this installation."""
    local = LocalGateway.objects.filter(member_id=member_id).first()
    return f"http://{local.host}:{local.client_port}" if local is not None else None


_configuration: GlobalConf | None = None


def configuration_in_use() -> GlobalConf | None:
    """The newest accepted global configuration, verified against the anchor (once per version)."""
    global _configuration
    anchor = Anchor.objects.first()
    if anchor is None:
        return None
    verified = (
        VerifiedConfiguration.objects.filter(instance=anchor.instance)
        .order_by("-version")
        .only("version", "signed")
        .first()
    )
    if verified is None:
        return None
    if _configuration is None or _configuration.version != verified.version:
        _configuration = configuration.verify(
            verified.signed,
            anchor_instance=anchor.instance,
            anchor_certificate_pem=anchor.certificate_pem,
        )
    return _configuration


def services_named(code: str, *, open_to: ClientId, method: str, path: str) -> list[ServiceId]:
    """Every service with this code in the configuration in use that `open_to` may call."""
    conf = configuration_in_use()
    if conf is None:
        return []
    found = []
    for service_id in conf.services:
        service = ServiceId.parse(service_id)
        if service.service_code == code and conf.allowed(open_to, service, method, path):
            found.append(service)
    return sorted(found, key=str)


def key_certified_by(certificate_pem: str) -> GatewayKey | None:
    """The key of this installation's that a certificate certifies (ca.certifies)."""
    try:
        certificate = ca.load_certificate(certificate_pem)
    except ValueError:
        return None  # not a certificate: certifies nothing here
    for key in GatewayKey.objects.filter(retired_at__isnull=True).order_by("-pk"):
        if ca.certifies(certificate, key.private_key_pem):
            return key
    return None
