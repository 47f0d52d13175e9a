"""The client side: the organisation's own systems call out with X-Road's REST protocol.

`{METHOD} /r1/{instance}/{class}/{code}/{subsystem}/{service}[/path]` with
`X-Road-Client`: the request is signed, logged and sent to the provider's
gateway over mutual TLS; the signed response is verified, logged and answered
with `X-Road-Request-Hash`.
"""

from __future__ import annotations

import asyncio
import ssl
import uuid
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import h11
from cryptography import x509

from digigov.exchange import ca, http, messages
from digigov.exchange.configuration import GlobalConf
from digigov.exchange.gateway import metaservices
from digigov.exchange.gateway.base import (
    TIMEOUT_SECONDS,
    GatewayError,
    Trail,
    error_response,
    now,
)
from digigov.exchange.gateway.connections import FAILURES, Connection, exchange_kept_alive
from digigov.exchange.identifiers import BadIdentifier, ClientId, ServiceId
from digigov.exchange.models import LocalClient

if TYPE_CHECKING:
    from digigov.exchange.gateway.node import Gateway


async def handle(gateway: Gateway, request: http.Request) -> http.Response:
    try:
        return await _handle(gateway, request)
    except GatewayError as error:
        return error_response(error, request)


def _check_connection(gateway: Gateway, client: ClientId, request: http.Request) -> None:
    """Did the caller connect as `client` must (its LocalClient, X-Road's connection type)?
    A subsystem with none set connects either way."""
    rule = gateway.clients.get(client.subsystem or "")
    if rule is None or rule.connection == LocalClient.Connection.HTTP:
        return
    if not request.tls:
        raise GatewayError(
            "Server.ClientProxy.SslAuthenticationFailed",
            f"{client} must connect over HTTPS",
        )
    if rule.connection == LocalClient.Connection.HTTPS_AUTH:
        given = ca.fingerprint_der(request.peer_certificate or b"")
        own = {
            ca.fingerprint(x509.load_pem_x509_certificate(pem.encode()))
            for pem in rule.certificates
        }
        if request.peer_certificate is None or given not in own:
            raise GatewayError(
                "Server.ClientProxy.SslAuthenticationFailed",
                f"{client} must connect with one of its own TLS certificates",
            )


async def _handle(gateway: Gateway, request: http.Request) -> http.Response:
    path, _, query = request.target.partition("?")
    if path == "/listClients" and request.method == "GET":
        conf, _keys = gateway.current()
        return metaservices.list_clients(conf, request.headers.get("accept", ""))
    if path == "/health":
        conf, _keys = gateway.current()
        return http.json_response(200, {"status": "ok", "configuration": conf.version})
    parts = path.split("/")
    if len(parts) < 7 or parts[1] != "r1" or not parts[6]:
        raise GatewayError(
            "Client.BadRequest",
            "use /r1/{instance}/{class}/{code}/{subsystem}/{service}[/path]",
        )
    try:
        provider = ClientId(*(unquote(p) for p in parts[2:6]))
        service = ServiceId(provider, unquote(parts[6]))
    except BadIdentifier as error:
        raise GatewayError("Client.InvalidServiceIdentifier", str(error)) from error
    rest = "/" + "/".join(parts[7:]) if len(parts) > 7 else ""
    header = request.headers.get("x-road-client", "")
    if not header:
        raise GatewayError("Client.MissingHeader", "the X-Road-Client header is required")
    try:
        client = ClientId.parse(header)
    except BadIdentifier as error:
        raise GatewayError("Client.InvalidClientIdentifier", str(error)) from error
    if str(client.member) != gateway.member_id:
        raise GatewayError(
            "Client.InvalidClientIdentifier",
            f"this gateway serves {gateway.member_id}, not {client.member}",
        )
    conf, keys = gateway.current()
    if not conf.has_client(client):
        raise GatewayError(
            "Client.InvalidClientIdentifier", f"{client} is not in the global configuration"
        )
    _check_connection(gateway, client, request)
    address = conf.gateway_address(str(provider.member))
    if address is None:
        raise GatewayError(
            "Server.ClientProxy.UnknownMember",
            f"{provider.member} has no gateway in the global configuration",
        )
    # Every end-to-end header passes (PR-REST 4.3): Authorization, If-None-Match, ...
    headers = messages.end_to_end(request.headers)
    headers["x-road-client"] = str(client)
    headers.setdefault("x-road-id", str(uuid.uuid4()))
    # this gateway's own id of the message: unique, so the provider can refuse a replay
    headers["x-road-request-id"] = str(uuid.uuid4())
    message_id = headers["x-road-id"]
    target = f"/{service.path()}{rest}" + (f"?{query}" if query else "")
    summary = messages.request_summary(
        message_id=message_id,
        time=now(),
        client=str(client),
        service=str(service),
        method=request.method,
        path=target,
        headers=headers,
        body=request.body,
    )
    signature = keys.signer.sign(summary)
    trail = Trail(gateway.log, "client", message_id, client, service, headers)
    status, answer_headers, body = await trail.request_during(
        signature,
        request.body,
        _send(gateway, address, provider, request.method, target, headers, request.body, signature),
    )
    if "x-road-error" in answer_headers and messages.SIGNATURE_HEADER not in answer_headers:
        # the provider's gateway refused or failed: its X-Road error, as it gave it
        kept = {k: v for k, v in answer_headers.items() if k in {"content-type", "x-road-error"}}
        return http.Response(status, body, kept)
    response_signature = answer_headers.get(messages.SIGNATURE_HEADER, "")
    try:
        _signer, signed = messages.verify(response_signature, conf, member_id=str(provider.member))
        messages.check(
            signed,
            messages.response_summary(
                request_signature=signature,
                time=now(),
                status=status,
                headers=answer_headers,
                body=body,
            ),
        )
    except messages.MessageError as error:
        raise GatewayError(
            f"Server.ClientProxy.{error.code}",
            f"the provider's response was refused: {error}",
        ) from error
    await trail.response(response_signature, body, status)
    out = {
        "x-road-client": str(client),
        "x-road-service": str(service),
        "x-road-id": message_id,
        "x-road-request-id": headers["x-road-request-id"],
        "x-road-request-hash": messages.request_hash(signature),
    }
    out.update(messages.response_headers(answer_headers))
    return http.Response(status, body, out)


async def _connect(
    gateway: Gateway, address: str, provider: ClientId, conf: GlobalConf
) -> Connection:
    _server_context, client_context = gateway._contexts()
    parts = urlsplit(address)
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                parts.hostname,
                parts.port or 443,
                ssl=client_context,
                server_hostname=parts.hostname,
            ),
            TIMEOUT_SECONDS,
        )
    except (OSError, ssl.SSLError, TimeoutError) as error:
        raise GatewayError(
            "Server.ClientProxy.NetworkError",
            f"cannot reach {provider.member}'s gateway: {error}",
        ) from error
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    owner = conf.gateway_tls_fingerprints.get(ca.fingerprint_der(der))
    if owner != str(provider.member):
        writer.close()
        raise GatewayError(
            "Server.ClientProxy.SslAuthenticationFailed",
            f"the gateway at {address} does not present a certificate the global configuration lists for {provider.member}",
        )
    return Connection(reader, writer)


async def _send(
    gateway: Gateway,
    address: str,
    provider: ClientId,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    signature: str,
) -> tuple[int, dict[str, str], bytes]:
    conf, _keys = gateway.current()
    wire = [(name, value) for name, value in headers.items()]
    wire += [
        (messages.SIGNATURE_HEADER, signature),
        ("host", urlsplit(address).netloc),
        ("content-length", str(len(body))),
    ]
    request = h11.Request(method=method, target=target.encode(), headers=wire)
    try:
        return await exchange_kept_alive(
            gateway.pool,
            address,
            lambda: _connect(gateway, address, provider, conf),
            request,
            body,
            TIMEOUT_SECONDS,
        )
    except FAILURES as error:
        raise GatewayError(
            "Server.ClientProxy.NetworkError",
            f"{provider.member}'s gateway did not answer: {error}",
        ) from error
