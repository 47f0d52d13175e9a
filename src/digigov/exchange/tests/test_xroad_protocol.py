"""The gateway as a system written for X-Road meets it (issue 11): requests as X-Road's
REST protocol documents send them (PR-REST 1.0.4, PR-MREST 0.8) pass unchanged, and
the answers have X-Road's shapes (the examples in ./xroad, from X-Road's documents)."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import yaml

from digigov.core.actors import Actor
from digigov.exchange import actions
from digigov.exchange.identifiers import ClientId
from digigov.exchange.testing import Running

pytestmark = pytest.mark.django_db(transaction=True)
OPERATOR = Actor.system("tests")
EXAMPLES = Path(__file__).parent / "xroad"
PROVIDER = "SE-TEST/GOV/2021009978/register"
ECHO = f"/r1/{PROVIDER}/echo"
ASKER = "SE-TEST/MUN/2120009994/arenden"
OTHER = "SE-TEST/MUN/2120009986/arenden"
PETSTORE = """openapi: 3.0.0
info: {title: Pets, version: '1'}
servers:
  - url: http://10.1.2.3:8080/internal/v1
paths:
  /pet/findByStatus:
    get: {responses: {'200': {description: ok}}}
  /pet/{petId}:
    servers: [{url: 'http://10.1.2.3:8080/pets-internal'}]
    get: {responses: {'200': {description: ok}}}
    delete: {responses: {'204': {description: gone}}}
  /pet:
    post: {responses: {'201': {description: made}}}
"""


class Echo(BaseHTTPRequestHandler):
    """A service that answers with what it got, and with end-to-end headers of its own."""

    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = {name.lower(): value for name, value in self.headers.items()}
        document = json.dumps(
            {"method": self.command, "path": self.path, "headers": seen, "body": body.decode()}
        ).encode()
        status = 201 if self.command == "POST" else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("ETag", '"v2"')
        self.send_header("Cache-Control", "max-age=60")
        self.send_header("Link", '</pet?page=2>; rel="next"')
        self.send_header("X-Service-Own", "kept")
        self.send_header("Vary", "Accept")
        self.send_header("Vary", "Accept-Language")  # repeated: joined, not dropped
        if status == 201:
            self.send_header("Location", "/pet/42")
        self.send_header("Content-Length", str(len(document)))
        self.end_headers()
        self.wfile.write(document)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def federation() -> Iterator[dict[str, Any]]:
    service_server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=service_server.serve_forever, daemon=True).start()
    registry = actions.init_registry(actor=OPERATOR, instance="SE-TEST")
    members = {
        name: actions.save_member(
            actor=OPERATOR, member_class=member_class, member_code=code, name=title
        )
        for name, member_class, code, title in (
            ("exempelby", "MUN", "2120009994", "Exempelby kommun"),
            ("provstad", "MUN", "2120009986", "Provstad kommun"),
            ("verket", "GOV", "2021009978", "Registerverket"),
        )
    }
    askers = {
        name: actions.add_subsystem(actor=OPERATOR, member=members[name], code="arenden")
        for name in ("exempelby", "provstad")
    }
    register = actions.add_subsystem(actor=OPERATOR, member=members["verket"], code="register")
    echo = actions.register_service(
        actor=OPERATOR, subsystem=register, code="echo", openapi=PETSTORE
    )
    plain = actions.register_service(actor=OPERATOR, subsystem=register, code="plain")
    actions.grant_access(actor=OPERATOR, service=echo, client=askers["exempelby"])
    actions.grant_access(actor=OPERATOR, service=plain, client=askers["exempelby"])
    actions.grant_access(
        actor=OPERATOR, service=echo, client=askers["provstad"], method="GET", path="/pet"
    )
    base_url = f"http://127.0.0.1:{service_server.server_address[1]}/internal/v1"
    for code, openapi in (("echo", PETSTORE), ("plain", "")):
        actions.save_local_service(
            actor=OPERATOR,
            provider=ClientId.parse(PROVIDER),
            code=code,
            base_url=base_url,
            openapi=openapi,
        )
    running = Running()
    gateways = running.federate(registry, members)
    yield {name: f"http://127.0.0.1:{g.local.client_port}" for name, g in gateways.items()}
    running.stop()
    service_server.shutdown()


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())


def test_a_request_as_pr_rest_sends_it_passes_every_end_to_end_header(federation):
    message_id = str(uuid.uuid4())
    answer = httpx.get(
        f"{federation['exempelby']}{ECHO}/pet/findByStatus?status=available&tags=a%20b",
        headers={
            "X-Road-Client": ASKER,
            "X-Road-Id": message_id,
            "X-Road-UserId": "SE199003152387",
            "X-Road-Issue": "12345",
            "Accept": "application/json",
            "Authorization": "Bearer t0ken",
            "If-None-Match": '"v1"',
            "X-Custom": "one",
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    received = answer.json()
    assert received["path"] == "/internal/v1/pet/findByStatus?status=available&tags=a%20b"
    seen = received["headers"]
    assert seen["authorization"] == "Bearer t0ken"
    assert seen["if-none-match"] == '"v1"'
    assert seen["x-custom"] == "one"
    assert seen["accept"] == "application/json"
    assert seen["x-road-client"] == ASKER and seen["x-road-id"] == message_id
    assert seen["x-road-userid"] == "SE199003152387" and seen["x-road-issue"] == "12345"
    assert uuid.UUID(seen["x-road-request-id"])
    # the service's own headers come back, and X-Road's
    assert answer.headers["etag"] == '"v2"'
    assert answer.headers["cache-control"] == "max-age=60"
    assert answer.headers["link"] == '</pet?page=2>; rel="next"'
    assert answer.headers["x-service-own"] == "kept"
    assert answer.headers["vary"] == "Accept, Accept-Language"
    assert answer.headers["x-road-client"] == ASKER
    assert answer.headers["x-road-service"] == f"{PROVIDER}/echo"
    assert answer.headers["x-road-id"] == message_id
    assert answer.headers["x-road-request-id"] == seen["x-road-request-id"]
    assert len(base64.b64decode(answer.headers["x-road-request-hash"])) == 64  # SHA-512
    # the gateways' own headers stay between them
    assert not [name for name in answer.headers if name.startswith("x-digigov-")]
    assert not [name for name in seen if name.startswith("x-digigov-signature")]


def test_a_post_gets_its_201_and_location(federation):
    answer = httpx.post(
        f"{federation['exempelby']}{ECHO}/pet",
        json={"name": "Doris"},
        headers={"X-Road-Client": ASKER},
        timeout=30,
    )
    assert answer.status_code == 201
    assert answer.headers["location"] == "/pet/42"
    assert json.loads(answer.json()["body"]) == {"name": "Doris"}


def test_an_x_road_id_may_be_used_again_by_the_same_client_and_by_another(federation):
    """X-Road-Id is the caller's correlation id, not a nonce: one member cannot block
    another's request by using its id first."""
    reused = str(uuid.uuid4())
    for gateway, client in (("exempelby", ASKER), ("exempelby", ASKER), ("provstad", OTHER)):
        answer = httpx.get(
            f"{federation[gateway]}{ECHO}/pet/1",
            headers={"X-Road-Client": client, "X-Road-Id": reused},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-road-id"] == reused


def test_a_member_may_call_as_itself(federation):
    member = "SE-TEST/MUN/2120009994"
    listed = httpx.get(
        f"{federation['exempelby']}/r1/{PROVIDER}/listMethods",
        headers={"X-Road-Client": member},
        timeout=30,
    )
    assert listed.status_code == 200
    call = httpx.get(
        f"{federation['exempelby']}{ECHO}/pet/1", headers={"X-Road-Client": member}, timeout=30
    )
    # known and accepted as a client; it has no access right of its own
    assert call.headers["x-road-error"] == "Server.ServerProxy.AccessDenied"


def error_of(answer: httpx.Response, code: str, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["x-road-error"] == code
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    body = answer.json()
    shape = example("rest-error-cat3-client-badrequest-400.json")
    assert set(body) == set(shape) and body["type"] == code
    assert uuid.UUID(body["detail"])
    return body


def test_errors_have_x_roads_shape_and_status(federation):
    gateway = federation["exempelby"]
    error_of(httpx.get(f"{gateway}{ECHO}/pet/1", timeout=30), "Client.MissingHeader", 400)
    error_of(
        httpx.get(f"{gateway}/r2/nothing", headers={"X-Road-Client": ASKER}, timeout=30),
        "Client.BadRequest",
        400,
    )
    error_of(
        httpx.get(
            f"{gateway}/r1/SE-TEST/GOV/0000000000/x/echo",
            headers={"X-Road-Client": ASKER},
            timeout=30,
        ),
        "Server.ClientProxy.UnknownMember",
        500,
    )
    denied = httpx.delete(
        f"{federation['provstad']}{ECHO}/pet/1", headers={"X-Road-Client": OTHER}, timeout=30
    )
    assert "may not call" in error_of(denied, "Server.ServerProxy.AccessDenied", 500)["message"]


def test_an_error_comes_in_xml_when_the_client_asks_for_it(federation):
    answer = httpx.get(
        f"{federation['exempelby']}{ECHO}/pet/1",
        headers={"Accept": "application/xml"},
        timeout=30,
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(answer.content)
    assert root.tag == "error"
    assert root.findtext("type") == "Client.MissingHeader"
    assert root.findtext("message") and root.findtext("detail")


def shape(service: dict[str, Any]) -> tuple[set[str], set[str]]:
    return set(service), {key for endpoint in service["endpoint_list"] for key in endpoint}


def test_list_methods_and_allowed_methods_as_pr_mrest_shows_them(federation):
    listed = httpx.get(
        f"{federation['exempelby']}/r1/{PROVIDER}/listMethods",
        headers={"X-Road-Client": ASKER},
        timeout=30,
    )
    services = {s["service_code"]: s for s in listed.json()["service"]}
    expected = example("listMethods-response.json")["service"][0]
    assert shape(services["echo"]) == shape(expected)
    assert services["echo"]["service_type"] == "OPENAPI"
    assert services["echo"]["endpoint_list"] == [
        {"method": "GET", "path": "/pet/findByStatus"},
        {"method": "GET", "path": "/pet/*"},
        {"method": "DELETE", "path": "/pet/*"},
        {"method": "POST", "path": "/pet"},
    ]
    assert services["plain"]["service_type"] == "REST"

    allowed = httpx.get(
        f"{federation['provstad']}/r1/{PROVIDER}/allowedMethods",
        headers={"X-Road-Client": OTHER},
        timeout=30,
    )
    [echo] = allowed.json()["service"]  # not "plain": Provstad has no right to it
    assert shape(echo) == shape(example("allowedMethods-response.json")["service"][0])
    assert echo["endpoint_list"] == [
        {"method": "GET", "path": "/pet/findByStatus"},
        {"method": "GET", "path": "/pet/*"},
    ]


def test_get_openapi_points_at_the_service_through_x_road_not_inside(federation):
    answer = httpx.get(
        f"{federation['exempelby']}/r1/{PROVIDER}/getOpenAPI?serviceCode=echo",
        headers={"X-Road-Client": ASKER},
        timeout=30,
    )
    assert answer.status_code == 200
    assert "10.1.2.3" not in answer.text
    document = yaml.safe_load(answer.text)
    assert document["servers"] == [{"url": f"/r1/{PROVIDER}/echo"}]
    assert "/pet/{petId}" in document["paths"]
    missing = httpx.get(
        f"{federation['exempelby']}/r1/{PROVIDER}/getOpenAPI?serviceCode=plain",
        headers={"X-Road-Client": ASKER},
        timeout=30,
    )
    error_of(missing, "Server.ServerProxy.UnknownService", 500)


def test_list_clients_names_members_and_subsystems_in_json_and_xml(federation):
    listed = httpx.get(f"{federation['exempelby']}/listClients", timeout=30).json()["member"]
    members = {
        (c["id"]["object_type"], c["id"]["member_code"], c["id"].get("subsystem_code")): c["name"]
        for c in listed
    }
    assert members[("MEMBER", "2120009994", None)] == "Exempelby kommun"
    assert members[("SUBSYSTEM", "2120009994", "arenden")] == "Exempelby kommun"
    assert members[("SUBSYSTEM", "2021009978", "register")] == "Registerverket"
    as_xml = httpx.get(
        f"{federation['exempelby']}/listClients", headers={"Accept": "text/xml"}, timeout=30
    )
    assert as_xml.headers["content-type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(as_xml.content)
    assert root.tag == "{http://x-road.eu/xsd/xroad.xsd}clientList"
    names = [n.text for n in root.iter("{http://x-road.eu/xsd/xroad.xsd}name")]
    assert names.count("Registerverket") == 2  # the member and its subsystem
