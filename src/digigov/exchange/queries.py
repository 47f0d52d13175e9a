"""Reads of the exchange's tables."""

from __future__ import annotations

import base64
import hmac
import json

from digigov.core.models import Organisation
from digigov.exchange.models import (
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


_names: tuple[int, dict[str, str]] = (0, {})


def member_name(member_id: str) -> str:
    """The name the global configuration in use gives a member ("" when unknown).

    The configuration was verified against the anchor when it was accepted.
    """
    global _names
    verified = VerifiedConfiguration.objects.order_by("-version").only("version", "signed").first()
    if verified is None:
        return ""
    if _names[0] != verified.version:
        payload = verified.signed.split(".")[1]
        document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        _names = (verified.version, {m["id"]: m["name"] for m in document["members"]})
    return _names[1].get(member_id, "")


def gateway_of(organisation: Organisation) -> tuple[str, str] | None:
    """The member id of an organisation and the client side of its gateway here."""
    member = Member.objects.filter(organisation=organisation).first()
    if member is None:
        return None
    local = LocalGateway.objects.filter(member_id=str(member)).first()
    if local is None:
        return None
    return str(member), f"http://{local.host}:{local.client_port}"
