"""Helpers for tests that run gateways: free ports, an event loop in a thread, keys and
signed log records."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import socket
import threading
from collections.abc import Mapping
from typing import Any

from digigov.core.actors import Actor
from digigov.exchange import actions, messages
from digigov.exchange.gateway import Gateway, event_loop_factory
from digigov.exchange.log import Record
from digigov.exchange.models import KnownSigningCertificate, Member, Registry

# Ports below Linux's ephemeral range (32768-60999), a thousand for each test
# worker: a port the kernel picked for us (bind to 0) could be handed to any
# outgoing connection before our server binds it, and two workers could pick
# the same one.
PORTS_FROM = 20000
PORTS_EACH = 1000
_taken = itertools.count()
_worker = 0  # this test worker's number (conftest sets it from pytest-xdist)


def use_worker(name: str) -> None:
    """`gw3` (pytest-xdist's worker id) takes the fourth range; anything else the first."""
    global _worker
    number = name.removeprefix("gw")
    _worker = int(number) % 12 if number.isdigit() else 0


def free_port() -> int:
    """A port no other test worker uses, free when asked for."""
    first = PORTS_FROM + _worker * PORTS_EACH
    for _ in range(PORTS_EACH):
        port = first + next(_taken) % PORTS_EACH
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{first + PORTS_EACH - 1}")


class Running:
    """Gateways served by an event loop in a thread of their own."""

    def __init__(self) -> None:
        self.loop = (event_loop_factory() or asyncio.new_event_loop)()  # as `digigov gateway` runs
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.gateways: list[Gateway] = []

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def start(self, gateway: Gateway) -> Gateway:
        self.run(gateway.start())
        self.gateways.append(gateway)
        return gateway

    def federate(
        self, registry: Registry, members: Mapping[str, Member], actor: Actor | None = None
    ) -> dict[str, Gateway]:
        """Each member's gateway on this worker's loopback ports, keys certified, the
        anchor and the newest configuration installed, and the gateways started."""
        actor = actor or Actor.system("tests")
        local = {
            name: actions.run_gateway_here(
                actor=actor,
                member=member,
                code="gw1",
                host="127.0.0.1",
                client_port=free_port(),
                server_port=free_port(),
            )
            for name, member in members.items()
        }
        actions.install_anchor(
            actor=actor,
            instance=registry.instance,
            certificate_pem=registry.configuration_certificate_pem,
        )
        actions.accept_configuration(
            actor=actor, signed=actions.publish_configuration(actor=actor).signed
        )
        return {name: self.start(Gateway(gateway)) for name, gateway in local.items()}

    def reload(self) -> None:
        for gateway in self.gateways:
            gateway.reload()
            self.run(gateway.serve_client_tls())

    def stop(self) -> None:
        for gateway in self.gateways:
            self.run(gateway.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def self_signed(name: str) -> tuple[str, str]:
    """A new EC key and a self-signed certificate for it, valid for a day: (key, certificate)
    in PEM. For a system's own TLS certificate, or a member's signing key in a test."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from digigov.core import pki

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = pki.self_signed(key, subject, valid=dt.timedelta(days=1))
    key_pem = pki.private_pem(key).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def signed_requests(
    client: str, service: str, ids: list[str], logged_at: dt.datetime | None = None
) -> list[Record]:
    """Log records of requests from `client` to `service`, signed by the client's member with
    a key made here, whose certificate is remembered as an accepted configuration's would be."""
    member = "/".join(client.split("/")[:3])
    key_pem, certificate_pem = self_signed(member)
    signer = messages.Signer.of(member, key_pem, certificate_pem)
    KnownSigningCertificate.objects.create(
        member_id=member,
        fingerprint=signer.fingerprint,
        certificate_pem=certificate_pem,
        first_seen_at=dt.datetime.now(dt.UTC),
    )
    records = []
    for message_id in ids:
        when = logged_at or dt.datetime.now(dt.UTC)
        summary = messages.request_summary(
            message_id=message_id,
            time=when,
            client=client,
            service=service,
            method="GET",
            path="/",
            headers={},
            body=b"{}",
        )
        records.append(
            Record(
                "client",
                "request",
                message_id,
                client,
                service,
                signer.sign(summary),
                b"{}",
                logged_at=when,
            )
        )
    return records
