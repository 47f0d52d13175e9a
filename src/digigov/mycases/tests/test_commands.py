"""`digigov mycases`: the conformance check against our producer and a broken one."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from digigov.conftest import ANNA, producer_token
from digigov.core.actors import Actor
from digigov.exchange.testing import free_port
from digigov.mycases.models import HubQuestion, Producer

pytestmark = pytest.mark.django_db(transaction=True)
SYSTEM = Actor.system("tests")


def run(capsys, *arguments: str) -> str:
    call_command("mycases", *arguments)
    return capsys.readouterr().out


@pytest.fixture
def token(organisation) -> str:
    return producer_token(organisation)


def test_our_own_producer_conforms(
    capsys, live_server, token, cases_at_two_municipalities, underscored_headers
):
    out = run(
        capsys,
        "check-producer",
        f"{live_server.url}/mycases/api/exempelby",
        "--person",
        ANNA,
        "--header",
        f"X-Digigov-Gateway-Token: {token}",
    )
    assert "FAIL" not in out
    assert "the producer conforms to Mina ärenden 6.1 on every check" in out
    assert out.count("ok  ") >= 25


class Broken(BaseHTTPRequestHandler):
    """A producer that gets most things wrong."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        event = {
            "kundhandelseId": "1",
            "rubrik": "Bygglov",
            "tidpunkt": "2026-09-01 10:00",  # not RFC 3339, no offset
            "kundhandelseTyp": "bygglov",  # not PREFIX.ARENDETYP.HANDELSETYP
            "producentarendetKraverKundatgard": "ja",  # not a boolean
            "producentarendetKlart": False,
        }
        body = json.dumps(
            {
                "kundhandelser": [
                    {
                        "part": {"kund": {"identifierare": ANNA, "typ": "Personnummer"}},
                        "totaltAntalKundhandelser": 1,
                        "kundhandelserForPart": [event, event],
                    }
                ]
            }
        ).encode()
        self.send_response(200)  # even for bad questions; no correlation id echoed
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def broken() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_broken_producer_fails_with_useful_messages(capsys, broken):
    with pytest.raises(CommandError, match="checks failed: the producer does not conform"):
        run(capsys, "check-producer", broken, "--person", ANNA)
    out = capsys.readouterr().out
    assert "FAIL the header skv_client_correlation_id is echoed (got None)" in out
    assert "FAIL the answer's kundhandelser.0.kundhandelserForPart.0.tidpunkt" in out
    assert "kundhandelserForPart.0.kundhandelseTyp" in out
    assert "producentarendetKraverKundatgard" in out
    assert "FAIL a malformed startDatum is answered 400 with a message (got 200, no message)" in out
    assert "FAIL a question without the correlation header is answered 400" in out


def test_a_producer_that_is_not_there_is_a_clear_error(capsys):
    with pytest.raises(CommandError, match="cannot be asked"):
        run(capsys, "check-producer", f"http://127.0.0.1:{free_port()}", "--person", ANNA)


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["check-producer", "http://x", "--person", "1990"], "12 digits"),
        (["check-producer", "ftp://x", "--person", ANNA], "http://"),
        (["check-producer", "http://x", "--person", ANNA, "--header", "nocolon"], "Name: value"),
        (["producer", "nowhere", "--pause"], "no organisation"),
    ],
)
def test_bad_arguments_are_clear_errors(capsys, arguments, says):
    with pytest.raises(CommandError, match=says):
        run(capsys, *arguments)


def test_pausing_a_producer_and_reading_the_hubs_log(capsys, organisation):
    assert "paused" in run(capsys, "producer", "exempelby", "--pause")
    assert Producer.objects.get(organisation=organisation).paused
    assert "answering" in run(capsys, "producer", "exempelby", "--resume")
    assert not Producer.objects.get(organisation=organisation).paused
    HubQuestion.objects.create(
        asked_at="2026-11-22T10:00:00+00:00",
        asker="portal",
        user=ANNA,
        correlation_id="c",
        outcomes=[{"producer": "Provstad kommun", "status": "TIMEOUT"}],
        status=206,
    )
    out = run(capsys, "questions")
    assert "portal about 19900315-****: 206, 1 producers, failed: Provstad kommun" in out
