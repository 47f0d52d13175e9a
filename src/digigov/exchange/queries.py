"""Reads of the exchange's tables."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from digigov.core.models import Organisation
from digigov.exchange import ca, configuration
from digigov.exchange.configuration import GlobalConf
from digigov.exchange.identifiers import ClientId, ServiceId
from digigov.exchange.messages import SERVICE_TOKEN_HEADER
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


def gateway_service(
    headers: Mapping[str, str], code: str, *, provider: str | None = None
) -> LocalService | None:
    """Is this request from our gateway, for the service `code` (of `provider`, a member or a
    subsystem id, when given)? The local service it reached, or None for anything else.

    The gateway sends the token of the local service it calls (X-Digigov-Gateway-Token);
    a token of another service, member or subsystem is refused like a missing one, so no
    local process holding one service's token can call another service. Every service
    behind the gateway asks this, and only this."""
    token = headers.get(SERVICE_TOKEN_HEADER, "")
    if not token:
        return None
    found = None
    for service in LocalService.objects.filter(code=code).exclude(token=""):
        if hmac.compare_digest(service.token.encode(), token.encode()):
            found = service
    if found is None or provider is None:
        return found
    subsystem = f"{found.member_id}/{found.subsystem}"
    return found if provider in (found.member_id, subsystem) else None


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
