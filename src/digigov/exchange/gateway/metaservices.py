"""X-Road's metaservices (PR-MREST): listClients on the client side; listMethods,
allowedMethods and getOpenAPI answered by the provider's gateway."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from xml.etree import ElementTree

import yaml

from digigov.exchange import http
from digigov.exchange.configuration import GlobalConf
from digigov.exchange.gateway.base import GatewayError
from digigov.exchange.identifiers import ClientId, ServiceId
from digigov.exchange.models import LocalService

if TYPE_CHECKING:
    from digigov.exchange.gateway.node import Gateway

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
IDENTIFIERS = "http://x-road.eu/xsd/identifiers"
XROAD = "http://x-road.eu/xsd/xroad.xsd"


def list_clients(conf: GlobalConf, accept: str) -> http.Response:
    """Every member and subsystem of the federation, with the member's name, in JSON or,
    when asked, in X-Road's XML."""
    clients: list[ClientId] = []
    for member in sorted({c.member for c in conf.clients()}):
        clients.append(ClientId(member.instance, member.member_class, member.member_code))
        clients += sorted(c for c in conf.clients() if c.member == member)
    named = [(client, conf.member_name(str(client.member)) or "") for client in clients]
    if http.wants_xml(accept):
        return _clients_xml(named)
    return http.json_response(200, {"member": [_client_json(c, n) for c, n in named]})


def _client_json(client: ClientId, name: str) -> dict[str, object]:
    identifier: dict[str, object] = {
        "member_class": client.member_class,
        "member_code": client.member_code,
        "object_type": "SUBSYSTEM" if client.subsystem else "MEMBER",
        "xroad_instance": client.instance,
    }
    if client.subsystem:
        identifier["subsystem_code"] = client.subsystem
    return {"id": identifier, "name": name}


def _clients_xml(named: list[tuple[ClientId, str]]) -> http.Response:
    ElementTree.register_namespace("id", IDENTIFIERS)
    ElementTree.register_namespace("xroad", XROAD)
    root = ElementTree.Element(f"{{{XROAD}}}clientList")
    for client, name in named:
        member = ElementTree.SubElement(root, f"{{{XROAD}}}member")
        kind = "SUBSYSTEM" if client.subsystem else "MEMBER"
        identifier = ElementTree.SubElement(
            member, f"{{{XROAD}}}id", {f"{{{IDENTIFIERS}}}objectType": kind}
        )
        parts = [
            ("xRoadInstance", client.instance),
            ("memberClass", client.member_class),
            ("memberCode", client.member_code),
        ]
        if client.subsystem:
            parts.append(("subsystemCode", client.subsystem))
        for tag, value in parts:
            ElementTree.SubElement(identifier, f"{{{IDENTIFIERS}}}{tag}").text = value
        ElementTree.SubElement(member, f"{{{XROAD}}}name").text = name
    body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return http.Response(200, body, {"content-type": http.XML})


def answer(
    gateway: Gateway, code: str, client: ClientId, provider: ClientId, conf: GlobalConf, query: str
) -> tuple[int, dict[str, str], bytes]:
    offered = {
        service_code: local
        for (subsystem, service_code), local in sorted(gateway.services.items())
        if subsystem == provider.subsystem
    }
    if code == "getOpenAPI":
        wanted = parse_qs(query).get("serviceCode", [""])[0]
        if not wanted:
            raise GatewayError("Server.ServerProxy.InvalidRequest", "give ?serviceCode=")
        return _openapi(ServiceId(provider, wanted) if _valid(wanted) else None, offered)
    listed = []
    for service_code, local in offered.items():
        service = ServiceId(provider, service_code)
        endpoints = _endpoints(local)
        if code == "allowedMethods":
            rights = conf.access_of(client, service)
            if not rights:
                continue
            endpoints = (
                [e for e in endpoints if conf.allowed(client, service, e["method"], e["path"])]
                if local.openapi
                else [_endpoint(method, path) for method, path in rights]
            )
        listed.append(service_json(service, "OPENAPI" if local.openapi else "REST", endpoints))
    document = {"service": listed}
    return 200, {"content-type": http.JSON}, json.dumps(document).encode()


def _valid(code: str) -> bool:
    try:
        ServiceId(ClientId("X", "X", "X", "X"), code)
    except ValueError:
        return False
    return True


def _openapi(
    service: ServiceId | None, offered: dict[str, LocalService]
) -> tuple[int, dict[str, str], bytes]:
    """The service's description, its servers pointing at the service through X-Road
    (relative to the caller's gateway), never the provider's internal address."""
    local = offered.get(service.service_code) if service else None
    if service is None or local is None or not local.openapi:
        raise GatewayError(
            "Server.ServerProxy.UnknownService", "no OpenAPI description for that service code"
        )
    document = _parsed(local.openapi)
    document["servers"] = [{"url": f"/r1/{service.path()}"}]
    for item in (document.get("paths") or {}).values():  # path and operation servers too
        if isinstance(item, dict):
            item.pop("servers", None)
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.pop("servers", None)
    if local.openapi.lstrip().startswith("{"):
        return 200, {"content-type": http.JSON}, json.dumps(document).encode()
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    return 200, {"content-type": "text/yaml; charset=utf-8"}, text.encode()


def _parsed(text: str) -> dict[str, Any]:
    try:
        found = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise GatewayError("Server.ServerProxy.OpenApiParsingError", str(error)) from error
    return found if isinstance(found, dict) else {}


def _endpoints(local: LocalService) -> list[dict[str, str]]:
    """The operations an OpenAPI description lists ({parameter} as *), or the whole
    service for one without."""
    if not local.openapi:
        return [_endpoint("", "")]
    paths = _parsed(local.openapi).get("paths") or {}
    return [
        {"method": method.upper(), "path": re.sub(r"\{[^}/]*\}", "*", str(path))}
        for path, item in paths.items()
        if isinstance(item, dict)
        for method in METHODS
        if method in item
    ]


def _endpoint(method: str, path: str) -> dict[str, str]:
    """An access right as an endpoint: "" is any method (*) or the whole path (**)."""
    return {"method": method or "*", "path": f"{path.rstrip('/')}/**" if path else "**"}


def service_json(
    service: ServiceId, service_type: str, endpoints: list[dict[str, str]]
) -> dict[str, object]:
    return {
        "object_type": "SERVICE",
        "xroad_instance": service.client.instance,
        "member_class": service.client.member_class,
        "member_code": service.client.member_code,
        "subsystem_code": service.client.subsystem,
        "service_code": service.service_code,
        "service_type": service_type,
        "endpoint_list": endpoints,
    }
