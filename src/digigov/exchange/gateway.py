"""The gateway: X-Road's REST protocol towards its own systems, signed mutual TLS between gateways.

One `Gateway` serves one member (docs/adr/0007):

- the **client side** takes `{METHOD} /r1/{instance}/{class}/{code}/{subsystem}/{service}[/path]`
  from the organisation's own systems with `X-Road-Client`, signs the request,
  logs it, sends it to the provider's gateway over mutual TLS, verifies and
  logs the signed response and answers with `X-Road-Request-Hash`;
- the **server side** accepts only gateways whose TLS certificate the global
  configuration lists, verifies the signature and every hash, refuses
  replays and calls without an access right, logs, calls the service, and
  signs and logs the response.

Failures answer with X-Road's error shape: an `X-Road-Error` header and
`{"type", "message", "detail"}`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import ssl
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import h11
import httpx
from django.db import connections

from digigov.core import clock, outbound
from digigov.core.actors import Actor
from digigov.exchange import actions, ca, configuration, http, messages
from digigov.exchange.configuration import GlobalConf
from digigov.exchange.identifiers import BadIdentifier, ClientId, ServiceId
from digigov.exchange.log import MessageLog, Record
from digigov.exchange.models import (
    Anchor,
    GatewayKey,
    LocalGateway,
    LocalService,
    MessageLogEntry,
    VerifiedConfiguration,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")
METASERVICES = ("listMethods", "allowedMethods", "getOpenAPI")
# The headers a signature covers pass through, and Accept; hop-by-hop ones do not.
PASSED_REQUEST_HEADERS = ("accept", *messages.SIGNED_HEADERS)
# The gateway proves itself to the services it fronts with their token.
SERVICE_TOKEN_HEADER = "x-digigov-gateway-token"  # noqa: S105 - a header name
REFRESH_SECONDS = 30.0
# Message ids kept for refusing replays (ten minutes at well over 1,000 a second).
MAX_REMEMBERED = 1_000_000
# A new signing key is used only once every gateway has had time to learn it
# from the configuration; until then the previous key signs (docs/adr/0007).
ROTATION_GRACE = dt.timedelta(seconds=2 * REFRESH_SECONDS)
TIMEOUT_SECONDS = 30.0


class GatewayError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(error: GatewayError) -> http.Response:
    return http.json_response(
        error.status,
        {"type": error.code, "message": error.message, "detail": str(uuid.uuid4())},
        {"x-road-error": error.code},
    )


def now() -> dt.datetime:
    return clock.now()


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (Linux, macOS): its sockets and TLS are in C."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


@dataclass(frozen=True)
class Keys:
    signer: messages.Signer
    tls_certificate_pem: str
    tls_key_pem: str


# -- outgoing connections to other gateways --------------------------------------------------


class Connection:
    """One kept-alive TLS connection to a provider's gateway, checked before any byte is sent."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(h11.CLIENT)

    async def exchange(
        self, request: h11.Request, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        self.writer.write(self.h11.send(request))
        if body:
            self.writer.write(self.h11.send(h11.Data(data=body)))
        self.writer.write(self.h11.send(h11.EndOfMessage()))
        await self.writer.drain()
        response: h11.Response | None = None
        chunks = bytearray()
        while True:
            event = self.h11.next_event()
            if event is h11.NEED_DATA:
                data = await self.reader.read(64 * 1024)
                self.h11.receive_data(data)
                continue
            if isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                chunks += event.data
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("the provider's gateway closed the connection")
        assert response is not None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers}
        return response.status_code, headers, bytes(chunks)

    def reusable(self) -> bool:
        if self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()
            return True
        return False

    def close(self) -> None:
        self.writer.close()


class Pool:
    """Idle connections per provider gateway address."""

    def __init__(self) -> None:
        self.idle: dict[str, list[Connection]] = {}

    def take(self, address: str) -> Connection | None:
        idle = self.idle.get(address)
        while idle:
            connection = idle.pop()
            if not connection.writer.is_closing() and not connection.reader.at_eof():
                return connection
            connection.close()
        return None

    def give(self, address: str, connection: Connection) -> None:
        if connection.reusable():
            self.idle.setdefault(address, []).append(connection)
        else:
            connection.close()

    def clear(self) -> None:
        for idle in self.idle.values():
            for connection in idle:
                connection.close()
        self.idle.clear()


# -- the gateway ------------------------------------------------------------------------------


class Gateway:
    def __init__(self, local: LocalGateway) -> None:
        self.local = local
        self.member_id = local.member_id
        self.name = f"{local.member_id}/{local.code}"
        # One thread does the gateway's database work, so its one connection can be
        # closed when the gateway stops.
        self.database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gateway-db")
        self.log = MessageLog(self.name, self.database)
        self.conf: GlobalConf | None = None
        self.keys: Keys | None = None
        self.seen: dict[str, float] = {}
        self.services: dict[tuple[str, str], LocalService] = {}
        self.pool = Pool()  # to other gateways
        self.services_pool = Pool()  # to the services this gateway fronts
        self.servers: list[http.Server] = []
        self.folder = Path(tempfile.mkdtemp(prefix="digigov-gateway-"))
        os.chmod(self.folder, 0o700)
        self.backend = outbound.async_http_client(timeout=TIMEOUT_SECONDS)
        self._server_context: ssl.SSLContext | None = None
        self._client_context: ssl.SSLContext | None = None
        self._context_key: tuple[int, str] | None = None

    # -- state from the database ------------------------------------------------------------

    def reload(self) -> None:
        """Read the configuration, keys, local services and recent message ids."""
        anchor = Anchor.objects.first()
        verified = (
            VerifiedConfiguration.objects.filter(instance=anchor.instance).first()
            if anchor
            else None
        )
        if anchor is not None and verified is not None:
            self.conf = configuration.verify(
                verified.signed,
                anchor_instance=anchor.instance,
                anchor_certificate_pem=anchor.certificate_pem,
            )
        self.services = {
            (s.subsystem, s.code): s for s in LocalService.objects.filter(member_id=self.member_id)
        }
        if self.conf is not None:
            self.keys = self._keys(self.conf)
        if not self.seen:
            since = now() - 2 * messages.CLOCK_SKEW
            for message_id in MessageLogEntry.objects.filter(
                gateway=self.name, side="server", direction="request", logged_at__gte=since
            ).values_list("message_id", flat=True):
                self.seen[message_id] = time.monotonic()

    def _keys(self, conf: GlobalConf) -> Keys | None:
        """The signing key to use and the TLS key, among those the configuration lists.

        Of the listed signing keys the newest is used once it has been active for
        ROTATION_GRACE; before that the one before it, so a rotation never makes
        a gateway sign with a key that others do not know yet.
        """
        listed = [
            key
            for key in GatewayKey.objects.filter(member_id=self.member_id, retired_at__isnull=True)
            .exclude(certificate_pem="")
            .order_by("-active_from", "-pk")
            if (
                conf.signing_certificate(self.member_id, key.fingerprint) is not None
                if key.purpose == "sign"
                else key.gateway_code == self.local.code
                and key.fingerprint in conf.gateway_tls_fingerprints
            )
        ]
        signing = [key for key in listed if key.purpose == "sign"]
        settled = [k for k in signing if k.active_from and k.active_from <= now() - ROTATION_GRACE]
        # none settled yet (a new federation): the one listed longest
        chosen = settled[:1] or signing[-1:]
        tls = [key for key in listed if key.purpose == "tls"][:1]
        if not chosen or not tls:
            return None
        signer = messages.Signer.of(
            self.member_id, chosen[0].private_key_pem, chosen[0].certificate_pem
        )
        return Keys(signer, tls[0].certificate_pem, tls[0].private_key_pem)

    def current(self) -> tuple[GlobalConf, Keys]:
        if self.conf is None:
            raise GatewayError(
                500,
                "Server.ClientProxy.MissingGlobalConf",
                "the gateway has no global configuration",
            )
        if self.conf.expired(now()):
            raise GatewayError(
                500,
                "Server.ClientProxy.OutdatedGlobalConf",
                f"the global configuration v{self.conf.version} expired at {self.conf.expires_at.isoformat()}; "
                "the gateway refuses traffic until it has a new one",
            )
        if self.keys is None:
            raise GatewayError(
                500,
                "Server.ClientProxy.MissingKeys",
                "the gateway has no certified keys in the configuration",
            )
        return self.conf, self.keys

    def _contexts(self) -> tuple[ssl.SSLContext, ssl.SSLContext]:
        conf, keys = self.current()
        key = (conf.version, keys.tls_certificate_pem)
        if self._context_key != key or self._server_context is None or self._client_context is None:
            certificate = self.folder / "tls.pem"
            private = self.folder / "tls.key"
            private.write_text(keys.tls_key_pem)
            os.chmod(private, 0o600)
            certificate.write_text(keys.tls_certificate_pem)
            authorities = "".join(ca.certificate_pem(c) for c in conf.ca_certificates)
            server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            server.minimum_version = ssl.TLSVersion.TLSv1_2
            server.verify_mode = ssl.CERT_REQUIRED
            server.load_verify_locations(cadata=authorities)
            server.load_cert_chain(certificate, private)
            client = ssl.create_default_context(cadata=authorities)
            client.minimum_version = ssl.TLSVersion.TLSv1_2
            client.load_cert_chain(certificate, private)
            if self._context_key is not None:
                self.pool.clear()
            self._server_context, self._client_context, self._context_key = server, client, key
        return self._server_context, self._client_context

    async def refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            await self.refresh()

    async def refresh(self) -> None:
        """Fetch a newer configuration from the anchor's source, if it names one, and reload."""
        try:
            source = await self._in_database_thread(_anchor_source)
            if source:
                answer = await self.backend.get(source)
                if answer.status_code == 200:
                    await self._in_database_thread(_accept, answer.text.strip())
            await self._in_database_thread(self.reload)
        except Exception:  # keep the last good state; the next round tries again
            logger.exception("the gateway %s could not refresh its configuration", self.name)

    # -- serving ---------------------------------------------------------------------------------

    async def _in_database_thread(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.database, function, *args)

    async def start(self) -> None:
        await self._in_database_thread(self.reload)
        server_context, _client = self._contexts()
        # The server side's context is fixed at start; its CA list and our TLS key are
        # what a new configuration would change, and _check_peer reads the live lists.
        self.servers = [
            await http.start(self.client_side, self.local.host, self.local.client_port),
            await http.start(
                self.server_side, self.local.host, self.local.server_port, server_context
            ),
        ]

    async def stop(self) -> None:
        self.pool.clear()
        self.services_pool.clear()
        for server in self.servers:
            await server.close()
        await self.backend.aclose()
        await self.log.close()
        await self._in_database_thread(connections.close_all)
        self.database.shutdown(wait=True)

    # -- the client side: our own systems call out ----------------------------------------

    async def client_side(self, request: http.Request) -> http.Response:
        try:
            return await self._client_side(request)
        except GatewayError as error:
            return error_response(error)

    async def _client_side(self, request: http.Request) -> http.Response:
        path, _, query = request.target.partition("?")
        if path == "/listClients" and request.method == "GET":
            conf, _keys = self.current()
            return http.json_response(200, {"member": [_client_json(c) for c in conf.clients()]})
        if path == "/health":
            conf, _keys = self.current()
            return http.json_response(200, {"status": "ok", "configuration": conf.version})
        parts = path.split("/")
        if len(parts) < 7 or parts[1] != "r1" or not parts[6]:
            raise GatewayError(
                400,
                "Client.BadRequest",
                "use /r1/{instance}/{class}/{code}/{subsystem}/{service}[/path]",
            )
        try:
            provider = ClientId(*(unquote(p) for p in parts[2:6]))
            service = ServiceId(provider, unquote(parts[6]))
        except BadIdentifier as error:
            raise GatewayError(400, "Client.InvalidServiceIdentifier", str(error)) from error
        rest = "/" + "/".join(parts[7:]) if len(parts) > 7 else ""
        header = request.headers.get("x-road-client", "")
        if not header:
            raise GatewayError(400, "Client.MissingHeader", "the X-Road-Client header is required")
        try:
            client = ClientId.parse(header)
        except BadIdentifier as error:
            raise GatewayError(400, "Client.InvalidClientIdentifier", str(error)) from error
        if str(client.member) != self.member_id:
            raise GatewayError(
                400,
                "Client.InvalidClientIdentifier",
                f"this gateway serves {self.member_id}, not {client.member}",
            )
        conf, keys = self.current()
        if not conf.has_client(client):
            raise GatewayError(
                400,
                "Client.InvalidClientIdentifier",
                f"{client} is not a subsystem in the global configuration",
            )
        address = conf.gateway_address(str(provider.member))
        if address is None:
            raise GatewayError(
                500,
                "Server.ClientProxy.UnknownMember",
                f"{provider.member} has no gateway in the global configuration",
            )
        headers = {
            name: request.headers[name]
            for name in PASSED_REQUEST_HEADERS
            if name in request.headers
        }
        headers["x-road-client"] = str(client)
        headers.setdefault("x-road-id", str(uuid.uuid4()))
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
        # Logged while it travels: the answer waits for the commit (below).
        request_logged = asyncio.ensure_future(
            self.log.append(
                _record(
                    "client",
                    "request",
                    message_id,
                    client,
                    service,
                    signature,
                    request.body,
                    headers,
                )
            )
        )
        try:
            status, answer_headers, body = await self._send(
                address, provider, request.method, target, headers, request.body, signature
            )
        finally:
            await request_logged
        if "x-road-error" in answer_headers and messages.SIGNATURE_HEADER not in answer_headers:
            return http.Response(status, body, _passed_error_headers(answer_headers))
        response_signature = answer_headers.get(messages.SIGNATURE_HEADER, "")
        try:
            _signer, signed = messages.verify(
                response_signature, conf, member_id=str(provider.member)
            )
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
                500,
                f"Server.ClientProxy.{error.code}",
                f"the provider's response was refused: {error}",
            ) from error
        await self.log.append(
            _record(
                "client",
                "response",
                message_id,
                client,
                service,
                response_signature,
                body,
                headers,
                status,
            )
        )
        out = {
            "x-road-client": str(client),
            "x-road-service": str(service),
            "x-road-id": message_id,
            "x-road-request-hash": messages.request_hash(signature),
        }
        out.update(_signed_response_headers(answer_headers))
        return http.Response(status, body, out)

    async def _connect(self, address: str, provider: ClientId, conf: GlobalConf) -> Connection:
        _server_context, client_context = self._contexts()
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
                500,
                "Server.ClientProxy.NetworkError",
                f"cannot reach {provider.member}'s gateway: {error}",
            ) from error
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
        owner = conf.gateway_tls_fingerprints.get(ca.fingerprint_der(der))
        if owner != str(provider.member):
            writer.close()
            raise GatewayError(
                500,
                "Server.ClientProxy.SslAuthenticationFailed",
                f"the gateway at {address} does not present a certificate the global configuration lists for {provider.member}",
            )
        return Connection(reader, writer)

    async def _send(
        self,
        address: str,
        provider: ClientId,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
        signature: str,
    ) -> tuple[int, dict[str, str], bytes]:
        conf, _keys = self.current()
        wire = [(name, value) for name, value in headers.items()]
        wire += [
            (messages.SIGNATURE_HEADER, signature),
            ("host", urlsplit(address).netloc),
            ("content-length", str(len(body))),
        ]
        request = h11.Request(method=method, target=target.encode(), headers=wire)
        for attempt in range(2):
            connection = self.pool.take(address)
            fresh = connection is None
            if connection is None:
                connection = await self._connect(address, provider, conf)
            try:
                answer = await asyncio.wait_for(connection.exchange(request, body), TIMEOUT_SECONDS)
            except (
                OSError,
                ConnectionError,
                h11.ProtocolError,
                ssl.SSLError,
                TimeoutError,
            ) as error:
                connection.close()
                if fresh or attempt:  # a kept connection may have gone stale: one more try
                    raise GatewayError(
                        500,
                        "Server.ClientProxy.NetworkError",
                        f"{provider.member}'s gateway did not answer: {error}",
                    ) from error
                continue
            self.pool.give(address, connection)
            return answer
        raise GatewayError(500, "Server.ClientProxy.NetworkError", "no answer")

    # -- the server side: other gateways call in ------------------------------------------------

    async def server_side(self, request: http.Request) -> http.Response:
        try:
            return await self._server_side(request)
        except GatewayError as error:
            return error_response(error)

    async def _server_side(self, request: http.Request) -> http.Response:
        conf, keys = self.current()
        peer = conf.gateway_tls_fingerprints.get(
            ca.fingerprint_der(request.peer_certificate or b"")
        )
        if peer is None:
            raise GatewayError(
                403,
                "Server.ServerProxy.SslAuthenticationFailed",
                "the calling gateway's certificate is not in the global configuration",
            )
        signature = request.headers.get(messages.SIGNATURE_HEADER, "")
        try:
            client = ClientId.parse(request.headers.get("x-road-client", ""))
        except BadIdentifier as error:
            raise GatewayError(
                400, "Server.ServerProxy.InvalidClientIdentifier", str(error)
            ) from error
        if str(client.member) != peer:
            raise GatewayError(
                403,
                "Server.ServerProxy.SslAuthenticationFailed",
                f"{peer}'s gateway may not speak for {client.member}",
            )
        path, _, query = request.target.partition("?")
        parts = path.split("/")
        try:
            service = ServiceId(ClientId(*(unquote(p) for p in parts[1:5])), unquote(parts[5]))
        except (BadIdentifier, TypeError, IndexError) as error:
            raise GatewayError(
                400, "Server.ServerProxy.InvalidServiceIdentifier", "not a service address"
            ) from error
        if str(service.client.member) != self.member_id:
            raise GatewayError(
                400, "Server.ServerProxy.UnknownService", f"{service} is not provided here"
            )
        headers = {
            name: request.headers[name]
            for name in PASSED_REQUEST_HEADERS
            if name in request.headers
        }
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
            raise GatewayError(400, f"Server.ServerProxy.{error.code}", str(error)) from error
        self._forget_old()
        if message_id in self.seen:
            raise GatewayError(
                400,
                "Server.ServerProxy.ReplayedMessage",
                f"message {message_id} was received before",
            )
        self.seen[message_id] = time.monotonic()
        rest = "/" + "/".join(parts[6:]) if len(parts) > 6 else ""
        code = service.service_code
        if code not in METASERVICES and not conf.allowed(
            client, service, request.method, rest or "/"
        ):
            raise GatewayError(
                403,
                "Server.ServerProxy.AccessDenied",
                f"{client} may not call {service} {request.method} {rest or '/'}",
            )
        # Logged while the service works: the response waits for the commit.
        request_logged = asyncio.ensure_future(
            self.log.append(
                _record(
                    "server",
                    "request",
                    message_id,
                    client,
                    service,
                    signature,
                    request.body,
                    headers,
                )
            )
        )
        try:
            status, answer_headers, body = await self._answer(
                code, client, service, conf, query, request, rest, headers
            )
        finally:
            await request_logged
        response_signature = keys.signer.sign(
            messages.response_summary(
                request_signature=signature,
                time=now(),
                status=status,
                headers=answer_headers,
                body=body,
            )
        )
        await self.log.append(
            _record(
                "server",
                "response",
                message_id,
                client,
                service,
                response_signature,
                body,
                headers,
                status,
            )
        )
        out = {messages.SIGNATURE_HEADER: response_signature}
        out.update(_signed_response_headers(answer_headers))
        return http.Response(status, body, out)

    async def _answer(
        self,
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
            return self._metaservice(code, client, service.client, conf, query)
        return await self._call_service(service, request.method, rest, query, headers, request.body)

    def _forget_old(self) -> None:
        """Forget message ids older than the replay window, oldest first (O(1) a message):
        an older message is refused by its time anyway."""
        horizon = time.monotonic() - 2 * messages.CLOCK_SKEW.total_seconds()
        seen = self.seen
        while seen:
            oldest = next(iter(seen))
            if seen[oldest] >= horizon and len(seen) <= MAX_REMEMBERED:
                break
            del seen[oldest]

    async def _call_service(
        self,
        service: ServiceId,
        method: str,
        rest: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, dict[str, str], bytes]:
        local = self.services.get((service.client.subsystem, service.service_code))
        if local is None:
            raise GatewayError(
                500,
                "Server.ServerProxy.UnknownService",
                f"{service} has no address at this gateway",
            )
        parts = urlsplit(local.base_url)
        if parts.scheme != "http":  # an https service is called with httpx
            return await self._call_over_https(local, method, rest, query, headers, body)
        target = f"{parts.path}{rest or ''}" + (f"?{query}" if query else "")
        wire = [(k, v) for k, v in headers.items() if k in PASSED_REQUEST_HEADERS]
        wire += [
            (SERVICE_TOKEN_HEADER, local.token),
            ("host", parts.netloc),
            ("content-length", str(len(body))),
        ]
        request = h11.Request(method=method, target=target.encode(), headers=wire)
        address = f"{parts.hostname}:{parts.port or 80}"
        for attempt in range(2):
            connection = self.services_pool.take(address)
            fresh = connection is None
            if connection is None:
                try:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(parts.hostname, parts.port or 80), TIMEOUT_SECONDS
                    )
                except (OSError, TimeoutError) as error:
                    raise GatewayError(
                        500,
                        "Server.ServerProxy.ServiceFailed",
                        f"the service did not answer: {error}",
                    ) from error
                connection = Connection(reader, writer)
            try:
                status, answer_headers, answer = await asyncio.wait_for(
                    connection.exchange(request, body), TIMEOUT_SECONDS
                )
            except (OSError, ConnectionError, h11.ProtocolError, TimeoutError) as error:
                connection.close()
                if fresh or attempt:
                    raise GatewayError(
                        500,
                        "Server.ServerProxy.ServiceFailed",
                        f"the service did not answer: {error}",
                    ) from error
                continue
            self.services_pool.give(address, connection)
            return status, _signed_response_headers(answer_headers), answer
        raise GatewayError(500, "Server.ServerProxy.ServiceFailed", "no answer")

    async def _call_over_https(
        self,
        local: LocalService,
        method: str,
        rest: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, dict[str, str], bytes]:
        url = local.base_url + (rest or "") + (f"?{query}" if query else "")
        forwarded = {k: v for k, v in headers.items() if k in PASSED_REQUEST_HEADERS}
        forwarded[SERVICE_TOKEN_HEADER] = local.token
        try:
            answer = await self.backend.request(method, url, headers=forwarded, content=body)
        except httpx.HTTPError as error:
            raise GatewayError(
                500, "Server.ServerProxy.ServiceFailed", f"the service did not answer: {error}"
            ) from error
        return answer.status_code, _signed_response_headers(dict(answer.headers)), answer.content

    def _metaservice(
        self, code: str, client: ClientId, provider: ClientId, conf: GlobalConf, query: str
    ) -> tuple[int, dict[str, str], bytes]:
        offered = sorted(c for (subsystem, c) in self.services if subsystem == provider.subsystem)
        if code == "listMethods":
            listed = offered
        elif code == "allowedMethods":
            allowed = set(conf.allowed_services(client, provider))
            listed = [c for c in offered if c in allowed]
        else:
            wanted = dict(p.partition("=")[::2] for p in query.split("&") if p).get(
                "serviceCode", ""
            )
            local = self.services.get((provider.subsystem, unquote(wanted)))
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
        document = {"service": [_service_json(ServiceId(provider, c)) for c in listed]}
        return 200, {"content-type": "application/json"}, json.dumps(document).encode()


def _record(
    side: str,
    direction: str,
    message_id: str,
    client: ClientId,
    service: ServiceId,
    signature: str,
    body: bytes,
    headers: dict[str, str],
    status: int | None = None,
) -> Record:
    """What the log keeps of a message: who, which service, for whom, why, and the signature."""
    return Record(
        side,
        direction,
        message_id,
        str(client),
        str(service),
        signature,
        body,
        headers.get("x-road-userid", ""),
        unquote(headers.get("x-road-issue", "")),
        status,
    )


def _anchor_source() -> str:
    anchor = Anchor.objects.first()
    return anchor.source if anchor else ""


def _accept(signed: str) -> None:
    try:
        actions.accept_configuration(actor=Actor.system("gateway"), signed=signed)
    except configuration.ConfigurationError as error:
        if error.code != "OlderGlobalConf":  # another gateway here was first: fine
            logger.warning("a fetched configuration was refused: %s", error)


def _client_json(client: ClientId) -> dict[str, object]:
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


def _service_json(service: ServiceId) -> dict[str, object]:
    return {
        "object_type": "SERVICE",
        "xroad_instance": service.client.instance,
        "member_class": service.client.member_class,
        "member_code": service.client.member_code,
        "subsystem_code": service.client.subsystem,
        "service_code": service.service_code,
        "service_type": "REST",
    }


def _signed_response_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: headers[k] for k in messages.SIGNED_RESPONSE_HEADERS if headers.get(k)}


def _passed_error_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k in ("content-type", "x-road-error")}
