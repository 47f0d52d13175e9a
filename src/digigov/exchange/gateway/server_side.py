"""The server side: other gateways call in over mutual TLS.

Only gateways whose TLS certificate the global configuration lists are
accepted; the signature and every hash are verified, replays and calls
without an access right refused, the request logged, the service called, and
the response signed and logged.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import h11
import httpx

from digigov.exchange import ca, http, messages
from digigov.exchange.configuration import GlobalConf
from digigov.exchange.gateway import metaservices
from digigov.exchange.gateway.base import (
    MAX_REMEMBERED,
    METASERVICES,
    SERVICE_TOKEN_HEADER,
    TIMEOUT_SECONDS,
    GatewayError,
    Trail,
    error_response,
    now,
)
from digigov.exchange.gateway.connections import FAILURES, Connection, exchange_kept_alive
from digigov.exchange.identifiers import BadIdentifier, ClientId, ServiceId
from digigov.exchange.models import LocalService

if TYPE_CHECKING:
    from digigov.exchange.gateway.node import Gateway


async def handle(gateway: Gateway, request: http.Request) -> http.Response:
    try:
        return await _handle(gateway, request)
    except GatewayError as error:
        return error_response(error, request)


async def _handle(gateway: Gateway, request: http.Request) -> http.Response:
    conf, keys = gateway.current()
    peer = conf.gateway_tls_fingerprints.get(ca.fingerprint_der(request.peer_certificate or b""))
    if peer is None:
        raise GatewayError(
            "Server.ServerProxy.SslAuthenticationFailed",
            "the calling gateway's certificate is not in the global configuration",
        )
    signature = request.headers.get(messages.SIGNATURE_HEADER, "")
    try:
        client = ClientId.parse(request.headers.get("x-road-client", ""))
    except BadIdentifier as error:
        raise GatewayError("Server.ServerProxy.InvalidClientIdentifier", str(error)) from error
    if str(client.member) != peer:
        raise GatewayError(
            "Server.ServerProxy.SslAuthenticationFailed",
            f"{peer}'s gateway may not speak for {client.member}",
        )
    path, _, query = request.target.partition("?")
    parts = path.split("/")
    try:
        service = ServiceId(ClientId(*(unquote(p) for p in parts[1:5])), unquote(parts[5]))
    except (BadIdentifier, TypeError, IndexError) as error:
        raise GatewayError(
            "Server.ServerProxy.InvalidServiceIdentifier", "not a service address"
        ) from error
    if str(service.client.member) != gateway.member_id:
        raise GatewayError("Server.ServerProxy.UnknownService", f"{service} is not provided here")
    headers = messages.end_to_end(request.headers)
    message_id = headers.get("x-road-id", "")
    try:
        _signer, signed = messages.verify(signature, conf, member_id=str(client.member))
        messages.check(
            signed,
            messages.request_summary(
                message_id=message_id,
                time=now(),
                client=str(client),
                service=str(service),
                method=request.method,
                path=request.target,
                headers=headers,
                body=request.body,
            ),
        )
    except messages.MessageError as error:
        raise GatewayError(f"Server.ServerProxy.{error.code}", str(error)) from error
    # A replay is the same signed message again; X-Road-Id is the caller's to reuse.
    _forget_old(gateway)
    key = messages.replay_key(signature)
    if key in gateway.seen:
        raise GatewayError(
            "Server.ServerProxy.ReplayedMessage", f"message {message_id} was received before"
        )
    gateway.seen[key] = time.monotonic()
    rest = "/" + "/".join(parts[6:]) if len(parts) > 6 else ""
    code = service.service_code
    if code not in METASERVICES and not conf.allowed(client, service, request.method, rest or "/"):
        raise GatewayError(
            "Server.ServerProxy.AccessDenied",
            f"{client} may not call {service} {request.method} {rest or '/'}",
        )
    trail = Trail(gateway.log, "server", message_id, client, service, headers)
    status, answer_headers, body = await trail.request_during(
        signature,
        request.body,
        _answer(gateway, code, client, service, conf, query, request, rest, headers),
    )
    response_signature = keys.signer.sign(
        messages.response_summary(
            request_signature=signature,
            time=now(),
            status=status,
            headers=answer_headers,
            body=body,
        )
    )
    await trail.response(response_signature, body, status)
    out = {messages.SIGNATURE_HEADER: response_signature}
    out.update(messages.response_headers(answer_headers))
    return http.Response(status, body, out)


async def _answer(
    gateway: Gateway,
    code: str,
    client: ClientId,
    service: ServiceId,
    conf: GlobalConf,
    query: str,
    request: http.Request,
    rest: str,
    headers: dict[str, str],
) -> tuple[int, dict[str, str], bytes]:
    if code in METASERVICES:
        return metaservices.answer(gateway, code, client, service.client, conf, query)
    return await _call_service(gateway, service, request.method, rest, query, headers, request.body)


def _forget_old(gateway: Gateway) -> None:
    """Forget messages older than the replay window, oldest first (O(1) a message):
    an older message is refused by its time anyway."""
    horizon = time.monotonic() - 2 * messages.CLOCK_SKEW.total_seconds()
    seen = gateway.seen
    while seen:
        oldest = next(iter(seen))
        if seen[oldest] >= horizon and len(seen) <= MAX_REMEMBERED:
            break
        del seen[oldest]


async def _call_service(
    gateway: Gateway,
    service: ServiceId,
    method: str,
    rest: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
) -> tuple[int, dict[str, str], bytes]:
    local = gateway.services.get((service.client.subsystem, service.service_code))
    if local is None:
        raise GatewayError(
            "Server.ServerProxy.UnknownService",
            f"{service} has no address at this gateway",
        )
    parts = urlsplit(local.base_url)
    if parts.scheme != "http":  # an https service is called with httpx
        return await _call_over_https(gateway, local, method, rest, query, headers, body)
    target = f"{parts.path}{rest or ''}" + (f"?{query}" if query else "")
    wire = list(headers.items())
    wire += [
        (SERVICE_TOKEN_HEADER, local.token),
        ("host", parts.netloc),
        ("content-length", str(len(body))),
    ]
    request = h11.Request(method=method, target=target.encode(), headers=wire)
    address = f"{parts.hostname}:{parts.port or 80}"

    async def connect() -> Connection:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, parts.port or 80), TIMEOUT_SECONDS
        )
        return Connection(reader, writer)

    try:
        status, answer_headers, answer = await exchange_kept_alive(
            gateway.services_pool, address, connect, request, body, TIMEOUT_SECONDS
        )
    except FAILURES as error:
        raise GatewayError(
            "Server.ServerProxy.ServiceFailed", f"the service did not answer: {error}"
        ) from error
    return status, answer_headers, answer


async def _call_over_https(
    gateway: Gateway,
    local: LocalService,
    method: str,
    rest: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
) -> tuple[int, dict[str, str], bytes]:
    url = local.base_url + (rest or "") + (f"?{query}" if query else "")
    forwarded = {**headers, SERVICE_TOKEN_HEADER: local.token}
    try:
        answer = await gateway.backend.request(method, url, headers=forwarded, content=body)
    except httpx.HTTPError as error:
        raise GatewayError(
            "Server.ServerProxy.ServiceFailed", f"the service did not answer: {error}"
        ) from error
    answered = dict(answer.headers)
    answered.pop("content-encoding", None)  # httpx has decoded the body
    return answer.status_code, answered, answer.content
