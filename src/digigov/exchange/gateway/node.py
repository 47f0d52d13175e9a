"""One member's gateway: its state from the database (configuration, keys, services),
its two listening sides, and refreshing the configuration."""

from __future__ import annotations

import asyncio
import os
import ssl
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.db import connections

from digigov.core import outbound
from digigov.core.actors import Actor
from digigov.exchange import actions, ca, configuration, http, messages
from digigov.exchange.configuration import GlobalConf
from digigov.exchange.gateway import client_side, server_side
from digigov.exchange.gateway.base import (
    REFRESH_SECONDS,
    ROTATION_GRACE,
    TIMEOUT_SECONDS,
    GatewayError,
    Keys,
    T,
    logger,
    now,
)
from digigov.exchange.gateway.connections import Pool
from digigov.exchange.log import MessageLog
from digigov.exchange.models import (
    Anchor,
    GatewayKey,
    LocalClient,
    LocalGateway,
    LocalService,
    MessageLogEntry,
    VerifiedConfiguration,
)


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (Linux, macOS): its sockets and TLS are in C."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


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
        self.seen: dict[str, float] = {}  # messages.replay_key: when received
        self.services: dict[tuple[str, str], LocalService] = {}
        self.clients: dict[str, LocalClient] = {}  # by subsystem code ("" the member)
        self._client_tls: http.Server | None = None
        self._client_tls_key: tuple[str, frozenset[str]] | None = None
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
        self.clients = {
            c.subsystem: c for c in LocalClient.objects.filter(member_id=self.member_id)
        }
        if self.conf is not None:
            self.keys = self._keys(self.conf)
        if not self.seen:
            since = now() - 2 * messages.CLOCK_SKEW
            for signature in MessageLogEntry.objects.filter(
                gateway=self.name, side="server", direction="request", logged_at__gte=since
            ).values_list("signature", flat=True):
                self.seen[messages.replay_key(signature)] = time.monotonic()

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
                "Server.ClientProxy.MissingGlobalConf",
                "the gateway has no global configuration",
            )
        if self.conf.expired(now()):
            raise GatewayError(
                "Server.ClientProxy.OutdatedGlobalConf",
                f"the global configuration v{self.conf.version} expired at {self.conf.expires_at.isoformat()}; "
                "the gateway refuses traffic until it has a new one",
            )
        if self.keys is None:
            raise GatewayError(
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

    def _client_tls_context(self) -> tuple[tuple[str, frozenset[str]], ssl.SSLContext]:
        """The client side's TLS: the gateway's TLS certificate, and the certificates of
        the subsystems that connect with their own (SSLAUTH), each trusted by itself."""
        _conf, keys = self.current()
        pems = frozenset(pem for client in self.clients.values() for pem in client.certificates)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        certificate, private = self.folder / "client-tls.pem", self.folder / "client-tls.key"
        private.write_text(keys.tls_key_pem)
        os.chmod(private, 0o600)
        certificate.write_text(keys.tls_certificate_pem)
        context.load_cert_chain(certificate, private)
        if pems:
            context.verify_mode = ssl.CERT_OPTIONAL
            context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
            context.load_verify_locations(cadata="".join(sorted(pems)))
        return (keys.tls_certificate_pem, pems), context

    async def serve_client_tls(self) -> None:
        """(Re)start the client side's TLS port when what it trusts has changed; its
        connections already open finish on the context they began with."""
        if not self.local.client_tls_port or self.conf is None or self.keys is None:
            return
        key, context = self._client_tls_context()
        if key == self._client_tls_key and self._client_tls is not None:
            return
        if self._client_tls is not None:
            await self._client_tls.close()
        self._client_tls = await http.start(
            self.client_side, self.local.host, self.local.client_tls_port, context
        )
        self._client_tls_key = key

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
            await self.serve_client_tls()
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
        await self.serve_client_tls()

    async def client_side(self, request: http.Request) -> http.Response:
        return await client_side.handle(self, request)

    async def server_side(self, request: http.Request) -> http.Response:
        return await server_side.handle(self, request)

    async def stop(self) -> None:
        self.pool.clear()
        self.services_pool.clear()
        for server in [*self.servers, *([self._client_tls] if self._client_tls else [])]:
            await server.close()
        await self.backend.aclose()
        await self.log.close()
        await self._in_database_thread(connections.close_all)
        self.database.shutdown(wait=True)


def _anchor_source() -> str:
    anchor = Anchor.objects.first()
    return anchor.source if anchor else ""


def _accept(signed: str) -> None:
    try:
        actions.accept_configuration(actor=Actor.system("gateway"), signed=signed)
    except configuration.ConfigurationError as error:
        if error.code != "OlderGlobalConf":  # another gateway here was first: fine
            logger.warning("a fetched configuration was refused: %s", error)
