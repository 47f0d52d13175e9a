"""Gateways on loopback ports speaking real HTTPS with mutual TLS to each other."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from digigov.core.actors import Actor
from digigov.exchange import actions, log
from digigov.exchange.client import ExchangeClient, ExchangeError
from digigov.exchange.identifiers import ClientId, ServiceId
from digigov.exchange.models import GatewayKey, MessageLogEntry, Registry
from digigov.exchange.testing import Running, self_signed

pytestmark = pytest.mark.django_db(transaction=True)
OPERATOR = Actor.system("tests")
ASKER = "SE-TEST/MUN/2120009994/arenden"
SERVICE = "/r1/SE-TEST/GOV/2021009978/register/folkbokforing"


class Provider(BaseHTTPRequestHandler):
    """A trivial population register behind the provider's gateway."""

    def do_GET(self) -> None:
        body = json.dumps(
            {"path": self.path, "issue": self.headers.get("X-Road-Issue", "")}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def federation() -> Iterator[dict[str, Any]]:
    provider = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    threading.Thread(target=provider.serve_forever, daemon=True).start()
    registry = actions.init_registry(actor=OPERATOR, instance="SE-TEST")
    kommun = actions.save_member(
        actor=OPERATOR, member_class="MUN", member_code="2120009994", name="Exempelby kommun"
    )
    verket = actions.save_member(
        actor=OPERATOR, member_class="GOV", member_code="2021009978", name="Registerverket"
    )
    asker = actions.add_subsystem(actor=OPERATOR, member=kommun, code="arenden")
    register = actions.add_subsystem(actor=OPERATOR, member=verket, code="register")
    service = actions.register_service(
        actor=OPERATOR, subsystem=register, code="folkbokforing", openapi="openapi: 3.0.0\n"
    )
    actions.grant_access(
        actor=OPERATOR, service=service, client=asker, method="GET", path="/personer"
    )
    actions.save_local_service(
        actor=OPERATOR,
        provider=ClientId.parse("SE-TEST/GOV/2021009978/register"),
        code="folkbokforing",
        base_url=f"http://127.0.0.1:{provider.server_address[1]}",
        openapi="openapi: 3.0.0\n",
    )
    running = Running()
    gateways = running.federate(registry, {"kommun": kommun, "verket": verket})
    yield {
        "running": running,
        "gateways": gateways,
        "client_url": f"http://127.0.0.1:{gateways['kommun'].local.client_port}",
        "kommun": kommun,
        "verket": verket,
        "service": service,
        "asker": asker,
    }
    running.stop()
    provider.shutdown()


def call(
    federation: dict[str, Any], path: str = "/personer/199003152387", **headers: str
) -> httpx.Response:
    return httpx.get(
        f"{federation['client_url']}{SERVICE}{path}",
        headers={"X-Road-Client": ASKER, "X-Road-Issue": "BN 2026/00001", **headers},
        timeout=30,
    )


def republish(federation: dict[str, Any]) -> None:
    actions.accept_configuration(
        actor=OPERATOR, signed=actions.publish_configuration(actor=OPERATOR).signed
    )
    federation["running"].reload()


def test_a_call_goes_through_both_gateways_and_both_logs_verify(federation):
    response = call(federation)
    assert response.status_code == 200, response.text
    assert response.json() == {"path": "/personer/199003152387", "issue": "BN 2026/00001"}
    assert response.headers["X-Road-Request-Hash"]
    assert response.headers["X-Road-Service"] == "SE-TEST/GOV/2021009978/register/folkbokforing"
    entries = MessageLogEntry.objects.order_by("gateway", "sequence")
    assert [(e.gateway, e.side, e.direction) for e in entries] == [
        ("SE-TEST/GOV/2021009978/gw1", "server", "request"),
        ("SE-TEST/GOV/2021009978/gw1", "server", "response"),
        ("SE-TEST/MUN/2120009994/gw1", "client", "request"),
        ("SE-TEST/MUN/2120009994/gw1", "client", "response"),
    ]
    assert {e.issue for e in entries} == {"BN 2026/00001"}
    checked, problems = log.verify()
    assert checked == 4 and problems == []


def test_a_call_without_an_access_right_is_refused(federation):
    response = call(federation, path="/foretag/5566778899")
    assert response.status_code == 500  # PR-REST 4.6: a gateway's refusal is Server.*, 500
    assert response.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
    assert response.json()["type"] == "Server.ServerProxy.AccessDenied"


def test_a_call_without_a_client_header_is_refused(federation):
    response = httpx.get(f"{federation['client_url']}{SERVICE}/personer/1", timeout=30)
    assert response.status_code == 400
    assert response.headers["X-Road-Error"] == "Client.MissingHeader"


def test_a_revoked_gateway_certificate_is_refused(federation):
    from digigov.exchange.models import Certificate

    tls = Certificate.objects.get(purpose="tls", member=federation["verket"])
    actions.revoke_certificate(actor=OPERATOR, fingerprint=tls.fingerprint)
    # the consumer's gateway learns of it; the provider's still presents the revoked certificate
    actions.accept_configuration(
        actor=OPERATOR, signed=actions.publish_configuration(actor=OPERATOR).signed
    )
    federation["gateways"]["kommun"].reload()
    federation["gateways"]["kommun"].pool.clear()
    response = call(federation)
    assert response.status_code == 500
    assert response.headers["X-Road-Error"] == "Server.ClientProxy.SslAuthenticationFailed"


def test_an_expired_configuration_stops_traffic_with_a_clear_error(federation, travel):
    assert call(federation).status_code == 200
    travel.forward(hours=25)  # the configuration is valid for 24 hours
    response = call(federation)
    assert response.status_code == 500
    assert response.headers["X-Road-Error"] == "Server.ClientProxy.OutdatedGlobalConf"
    assert "expired" in response.json()["message"]


def test_metaservices_list_and_describe_the_services(federation):
    base = f"{federation['client_url']}/r1/SE-TEST/GOV/2021009978/register"
    headers = {"X-Road-Client": ASKER}
    listed = httpx.get(f"{base}/listMethods", headers=headers, timeout=30)
    assert listed.status_code == 200
    [service] = listed.json()["service"]
    assert (service["service_code"], service["service_type"]) == ("folkbokforing", "OPENAPI")
    allowed = httpx.get(f"{base}/allowedMethods", headers=headers, timeout=30)
    assert [s["service_code"] for s in allowed.json()["service"]] == ["folkbokforing"]
    described = httpx.get(
        f"{base}/getOpenAPI?serviceCode=folkbokforing", headers=headers, timeout=30
    )
    assert described.status_code == 200 and described.text.startswith("openapi: 3.0.0")
    clients = httpx.get(f"{federation['client_url']}/listClients", timeout=30).json()
    assert {c["name"] for c in clients["member"]} == {"Exempelby kommun", "Registerverket"}


def direct_client(tmp_path, federation) -> httpx.Client:
    """A client holding Exempelby's gateway TLS key, speaking to Registerverket's gateway directly."""
    tls = GatewayKey.objects.get(member_id=str(federation["kommun"]), purpose="tls")
    (tmp_path / "tls.pem").write_text(tls.certificate_pem)
    (tmp_path / "tls.key").write_text(tls.private_key_pem)
    context = ssl.create_default_context(cadata=Registry.objects.get().ca_certificate_pem)
    context.load_cert_chain(tmp_path / "tls.pem", tmp_path / "tls.key")
    server_port = federation["gateways"]["verket"].local.server_port
    return httpx.Client(base_url=f"https://127.0.0.1:{server_port}", verify=context, timeout=30)


def logged_request(federation) -> MessageLogEntry:
    return MessageLogEntry.objects.get(gateway="SE-TEST/MUN/2120009994/gw1", direction="request")


def resend(client: httpx.Client, entry: MessageLogEntry, path: str) -> httpx.Response:
    """The logged message sent again, with the headers it was signed with (call() sent
    them with the same httpx, so its default headers are the same too)."""
    payload = entry.signature.split(".")[1]
    summary = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return client.get(
        f"/SE-TEST/GOV/2021009978/register/folkbokforing{path}",
        headers={
            "X-Road-Client": ASKER,
            "X-Road-Id": entry.message_id,
            "X-Road-Issue": entry.issue,
            "X-Road-Request-Id": summary["request_id"],
            "X-Digigov-Signature": entry.signature,
        },
    )


def test_a_replayed_message_is_refused(federation, tmp_path):
    assert call(federation).status_code == 200
    with direct_client(tmp_path, federation) as client:
        replayed = resend(client, logged_request(federation), "/personer/199003152387")
    assert replayed.status_code == 500, replayed.text
    assert replayed.headers["X-Road-Error"] == "Server.ServerProxy.ReplayedMessage"


def test_a_message_changed_after_signing_is_refused(federation, tmp_path):
    assert call(federation).status_code == 200
    with direct_client(tmp_path, federation) as client:
        changed = resend(client, logged_request(federation), "/personer/198511224571")
    assert changed.status_code == 500
    assert changed.headers["X-Road-Error"] == "Server.ServerProxy.InvalidMessage"
    assert "path" in changed.json()["message"]


def test_a_byte_flipped_in_transit_is_refused(federation):
    """A proxy between the gateways flips one byte of what the consumer sends."""
    verket = federation["gateways"]["verket"].local
    flipped = {"done": False}

    async def pipe(reader, writer, flip):
        seen = 0
        try:
            while data := await reader.read(65536):
                if flip and not flipped["done"] and seen + len(data) > 2000:
                    at = max(0, 2000 - seen)
                    data = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
                    flipped["done"] = True
                seen += len(data)
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def relay(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection(
            "127.0.0.1", verket.server_port
        )
        await asyncio.gather(
            pipe(client_reader, server_writer, True), pipe(server_reader, client_writer, False)
        )

    running = federation["running"]
    proxy = running.run(asyncio.start_server(relay, "127.0.0.1", 0))
    port = proxy.sockets[0].getsockname()[1]
    actions.register_gateway(
        actor=OPERATOR, member=federation["verket"], code="gw1", address=f"https://127.0.0.1:{port}"
    )
    republish(federation)
    response = call(
        federation, **{"X-Road-UserId": "SE199003152387" * 100}
    )  # enough bytes to reach the flip
    proxy.close()
    assert flipped["done"]
    assert response.status_code == 500
    assert response.headers["X-Road-Error"] == "Server.ClientProxy.NetworkError"
    assert not MessageLogEntry.objects.filter(side="server").exists()


def test_a_signing_key_rotates_under_traffic_without_a_failed_call(federation, travel):
    statuses: list[int] = []
    stop = threading.Event()

    def traffic() -> None:
        with httpx.Client(timeout=30) as client:
            while not stop.is_set():
                answer = client.get(
                    f"{federation['client_url']}{SERVICE}/personer/199003152387",
                    headers={"X-Road-Client": ASKER},
                )
                statuses.append(answer.status_code)

    def more_calls(count: int = 3) -> None:
        target = len(statuses) + count
        deadline = time.monotonic() + 30
        while len(statuses) < target and time.monotonic() < deadline:
            time.sleep(0.01)

    kommun = str(federation["kommun"])
    worker = threading.Thread(target=traffic)
    worker.start()
    try:
        more_calls()
        old = GatewayKey.objects.get(member_id=kommun, purpose="sign")
        new = actions.create_gateway_key(
            actor=OPERATOR, member_id=kommun, gateway_code="gw1", purpose="sign"
        )
        issued = actions.issue_certificate(
            actor=OPERATOR,
            member=federation["kommun"],
            purpose="sign",
            public_key_pem=actions.public_key_pem(new),
        )
        actions.install_certificate(actor=OPERATOR, gateway_key=new, certificate_pem=issued.pem)
        republish(federation)  # both keys listed; the old one still signs
        more_calls()
        assert federation["gateways"]["kommun"].keys.signer.fingerprint == old.fingerprint
        travel.forward(minutes=2)  # past the grace period: the new key signs
        federation["running"].reload()
        more_calls()
        assert federation["gateways"]["kommun"].keys.signer.fingerprint == issued.fingerprint
        actions.revoke_certificate(actor=OPERATOR, fingerprint=old.fingerprint)
        actions.retire_gateway_key(actor=OPERATOR, gateway_key=old)
        republish(federation)
        more_calls()
    finally:
        stop.set()
        worker.join(30)
    assert len(statuses) >= 12 and set(statuses) == {200}
    signed_with = {
        json.loads(base64.urlsafe_b64decode(entry.signature.split(".")[0] + "=="))["x5t#S256"]
        for entry in MessageLogEntry.objects.filter(side="server", direction="request")
    }
    assert signed_with == {old.fingerprint, issued.fingerprint}


def test_other_modules_call_through_the_python_client(federation):
    client = ExchangeClient(federation["client_url"], ClientId.parse(ASKER))
    service = ServiceId(ClientId.parse("SE-TEST/GOV/2021009978/register"), "folkbokforing")
    found = client.get(
        service, "/personer/199003152387", user_id="SE199003152387", issue="BN 2026/00001"
    )
    assert found == {"path": "/personer/199003152387", "issue": "BN 2026/00001"}
    entry = MessageLogEntry.objects.filter(side="server").first()
    assert (entry.user_id, entry.issue) == ("SE199003152387", "BN 2026/00001")
    with pytest.raises(ExchangeError) as refused:
        client.get(service, "/foretag/5566778899")
    assert refused.value.code == "Server.ServerProxy.AccessDenied"
    client.close()


def test_a_gateway_fetches_a_newer_configuration_from_the_registry(federation, client):
    from digigov.exchange.models import Anchor

    newer = actions.publish_configuration(actor=OPERATOR)
    assert client.get("/exchange/global-conf").content.decode() == newer.signed

    class Registry(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = newer.signed.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Anchor.objects.update(
        source=f"http://127.0.0.1:{server.server_address[1]}/exchange/global-conf"
    )
    gateway = federation["gateways"]["kommun"]
    federation["running"].run(gateway.refresh())
    server.shutdown()
    assert gateway.conf.version == newer.version


def _self_signed(tmp_path, name: str) -> tuple[str, str, str]:
    """A system's own TLS key and certificate: (certificate PEM, certificate file, key file)."""
    key_pem, certificate_pem = self_signed(name)
    (tmp_path / f"{name}.pem").write_text(certificate_pem)
    (tmp_path / f"{name}.key").write_text(key_pem)
    return certificate_pem, str(tmp_path / f"{name}.pem"), str(tmp_path / f"{name}.key")


def test_a_subsystem_that_must_authenticate_is_served_only_with_its_own_certificate(
    federation, tmp_path
):
    """SSLAUTH: the client side over TLS, and the caller's certificate must be one registered
    for the subsystem it calls as; another local process (no certificate, another's, plain
    HTTP) cannot act as it."""
    from digigov.exchange.testing import free_port

    gateway = federation["gateways"]["kommun"]
    tls_port = free_port()
    gateway.local = actions.save_local_gateway(
        actor=OPERATOR,
        member_id=gateway.member_id,
        code=gateway.local.code,
        host="127.0.0.1",
        client_port=gateway.local.client_port,
        server_port=gateway.local.server_port,
        client_tls_port=tls_port,
    )
    own_pem, own_certificate, own_key = _self_signed(tmp_path, "arenden")
    _other_pem, other_certificate, other_key = _self_signed(tmp_path, "intruder")
    actions.save_local_client(
        actor=OPERATOR,
        client=ClientId.parse(ASKER),
        connection="https-auth",
        certificates=[own_pem],
    )
    federation["running"].reload()

    def over_tls(certificate: tuple[str, str] | None) -> httpx.Response:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        if certificate is not None:
            context.load_cert_chain(*certificate)
        with httpx.Client(verify=context, timeout=30) as client:
            return client.get(
                f"https://127.0.0.1:{tls_port}{SERVICE}/personer/199003152387",
                headers={"X-Road-Client": ASKER},
            )

    assert over_tls((own_certificate, own_key)).status_code == 200
    for refused in [over_tls(None), call(federation)]:
        assert refused.status_code == 500, refused.text
        assert refused.headers["x-road-error"] == "Server.ClientProxy.SslAuthenticationFailed"
    with pytest.raises(httpx.TransportError):  # a certificate it does not know: no handshake
        over_tls((other_certificate, other_key))
    # the member calling as itself has no rule of its own: either way still works
    actions.save_local_client(
        actor=OPERATOR, client=ClientId.parse(ASKER), connection="http", certificates=[]
    )
    federation["running"].reload()
    assert call(federation).status_code == 200
