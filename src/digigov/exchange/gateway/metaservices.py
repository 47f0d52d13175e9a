"""X-Road's metaservices (PR-MREST): listClients on the client side; listMethods,
allowedMethods and getOpenAPI answered by the provider's gateway."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import unquote

from digigov.exchange.configuration import GlobalConf
from digigov.exchange.identifiers import ClientId, ServiceId

if TYPE_CHECKING:
    from digigov.exchange.gateway.node import Gateway


def answer(
    gateway: Gateway, code: str, client: ClientId, provider: ClientId, conf: GlobalConf, query: str
) -> tuple[int, dict[str, str], bytes]:
    offered = sorted(c for (subsystem, c) in gateway.services if subsystem == provider.subsystem)
    if code == "listMethods":
        listed = offered
    elif code == "allowedMethods":
        allowed = set(conf.allowed_services(client, provider))
        listed = [c for c in offered if c in allowed]
    else:
        wanted = dict(p.partition("=")[::2] for p in query.split("&") if p).get("serviceCode", "")
        local = gateway.services.get((provider.subsystem, unquote(wanted)))
        if local is None or not local.openapi:
            return (
                404,
                {"content-type": "application/json"},
                json.dumps(
                    {
                        "type": "Server.ServerProxy.UnknownService",
                        "message": f"no OpenAPI for {wanted!r}",
                    }
                ).encode(),
            )
        return 200, {"content-type": "text/yaml"}, local.openapi.encode()
    document = {"service": [service_json(ServiceId(provider, c)) for c in listed]}
    return 200, {"content-type": "application/json"}, json.dumps(document).encode()


def client_json(client: ClientId) -> dict[str, object]:
    return {
        "id": {
            "object_type": "SUBSYSTEM",
            "xroad_instance": client.instance,
            "member_class": client.member_class,
            "member_code": client.member_code,
            "subsystem_code": client.subsystem,
        },
        "name": str(client),
    }


def service_json(service: ServiceId) -> dict[str, object]:
    return {
        "object_type": "SERVICE",
        "xroad_instance": service.client.instance,
        "member_class": service.client.member_class,
        "member_code": service.client.member_code,
        "subsystem_code": service.client.subsystem,
        "service_code": service.service_code,
        "service_type": "REST",
    }
