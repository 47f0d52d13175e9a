"""The message log against its signatures and its anchors: a forged entry, a cut tail, a
deleted log and a rebuilt chain are each found by `digigov exchange verify-log`, also when
the only anchor left is the one another member keeps (the witness, over the exchange)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from digigov.core import anchors
from digigov.exchange import actions, log
from digigov.exchange.identifiers import ClientId
from digigov.exchange.log import MessageLog, Record
from digigov.exchange.models import MessageLogEntry
from digigov.exchange.testing import signed_requests
from digigov.exchange.tests.test_gateways import ASKER, OPERATOR, call, federation  # noqa: F401

CLIENT = "SE-TEST/MUN/2120009994/arenden"
SERVICE = "SE-TEST/GOV/2021009978/register/folkbokforing"
GATEWAY = "SE-TEST/MUN/2120009994/gw1"


def verify_log(capsys) -> str:
    with pytest.raises(CommandError, match="problem"):
        call_command("exchange", "verify-log")
    return capsys.readouterr().err


@pytest.fixture
def chain(db):
    written = MessageLog(GATEWAY)
    written.write(signed_requests(CLIENT, SERVICE, [f"id-{n}" for n in range(5)]))
    return written


def test_an_appended_forged_entry_is_found_by_its_signature(chain, capsys):
    """Its hash links on (anyone can compute SHA-256); its signature vouches for nothing."""
    chain.write([Record("client", "request", "forged", CLIENT, SERVICE, "a.b.c", b"{}")])
    honest = signed_requests(CLIENT, SERVICE, ["honest"])[0]
    honest.message_id = "another"  # signed for "honest", logged as "another"
    chain.write([honest])
    problems = verify_log(capsys)
    assert "#6: its signature does not verify" in problems
    assert "#7: its signature is for another id" in problems


def test_a_cut_tail_and_a_deleted_log_are_found_by_the_anchor(chain, capsys):
    call_command("exchange", "verify-log")
    anchors.checkpoint()
    MessageLogEntry.objects.filter(gateway=GATEWAY, sequence__gte=4).delete()
    cut = verify_log(capsys)
    assert f"{GATEWAY} #5: entry #5 was anchored" in cut and "gone" in cut
    MessageLogEntry.objects.filter(gateway=GATEWAY).delete()
    problems = verify_log(capsys)
    assert f"{GATEWAY} #5: entry #5 was anchored" in problems and "gone" in problems


def test_a_rebuilt_chain_is_found_by_the_anchor(chain, capsys):
    anchors.checkpoint()
    entries = list(MessageLogEntry.objects.filter(gateway=GATEWAY).order_by("sequence"))
    MessageLogEntry.objects.filter(gateway=GATEWAY, sequence__gte=3).delete()
    rebuilt = MessageLog(GATEWAY)  # goes on from #2, with records signed afresh
    rebuilt.write(signed_requests(CLIENT, SERVICE, [e.message_id for e in entries[2:]]))
    assert log.verify(GATEWAY)[1] != []
    problems = verify_log(capsys)
    assert "#5: entry #5 is not the one anchored" in problems and "rebuilt" in problems


def test_the_witness_keeps_the_anchors_another_member_sent_it(
    federation,  # noqa: F811
    live_server,
    settings,
    capsys,
):
    """Kommun anchors its logs with Registerverket's witness service over the exchange; with
    its own anchor file gone and its log cut, verification still finds the cut."""
    verket = actions.subsystem_by_id("SE-TEST/GOV/2021009978/register")
    witness = actions.register_service(actor=OPERATOR, subsystem=verket, code="vittne")
    for method in ("GET", "POST"):
        actions.grant_access(
            actor=OPERATOR,
            service=witness,
            client=federation["asker"],
            method=method,
            path="/checkpoints",
        )
    actions.save_local_service(
        actor=OPERATOR,
        provider=ClientId.parse("SE-TEST/GOV/2021009978/register"),
        code="vittne",
        base_url=f"{live_server.url}/exchange/witness",
    )
    actions.accept_configuration(
        actor=OPERATOR, signed=actions.publish_configuration(actor=OPERATOR).signed
    )
    federation["running"].reload()
    settings.ANCHOR_WITNESS = "SE-TEST/GOV/2021009978/register/vittne"
    settings.EXCHANGE_SUBSYSTEM = "arenden"
    for _ in range(3):
        assert call(federation).status_code == 200
    made, failed = anchors.checkpoint()
    assert failed == []
    kommun = "SE-TEST/MUN/2120009994/gw1"
    anchored = next(h for h in made.heads if h.log == f"exchange:{kommun}")
    assert anchored.sequence >= 6  # three calls, a request and a response each
    anchors.stores()[0].path.unlink()  # the local anchor file is gone
    MessageLogEntry.objects.filter(gateway=kommun, sequence__gte=anchored.sequence).delete()
    problems = verify_log(capsys)
    assert f"entry #{anchored.sequence} was anchored" in problems
    assert "the witness SE-TEST/GOV/2021009978/register/vittne" in problems


def test_the_witness_refuses_what_is_not_a_checkpoint(db):
    from django.core.exceptions import ValidationError

    for document in [
        {},
        {"made_at": "igår", "heads": {}},
        {"made_at": "2026-12-02T06:00:00", "heads": {}},  # no time zone
        {"made_at": "2026-12-02T06:00:00+00:00", "heads": {"audit:x": [1]}},
        {"made_at": "2026-12-02T06:00:00+00:00", "heads": {"audit:\x00": [1, "0" * 64]}},
        {"made_at": "2026-12-02T06:00:00+00:00", "heads": {"audit:\ud800": [1, "0" * 64]}},
    ]:
        with pytest.raises(ValidationError):
            actions.witness_checkpoint(client=CLIENT, document=document, message_id="m")


def test_an_archive_row_made_up_to_cover_deleted_entries_is_found(chain, capsys):
    """Entries deleted and a LogArchive row put in their place with the right hashes: the
    member never signed such an archive, and there is no file."""
    from digigov.exchange.models import LogArchive

    anchors.checkpoint()
    entries = list(MessageLogEntry.objects.filter(gateway=GATEWAY).order_by("sequence"))
    LogArchive.objects.create(
        gateway=GATEWAY,
        first_sequence=1,
        last_sequence=4,
        first_previous_hash=entries[0].previous_hash,
        last_hash=entries[3].entry_hash,
        entries=4,
        sha256="0" * 64,
        signature="x",
        file_name="/nonexistent/archive.jsonl",
        created_at=entries[3].logged_at,
    )
    MessageLogEntry.objects.filter(gateway=GATEWAY, sequence__lte=4).delete()
    assert f"{GATEWAY} #1: the archive's signature does not verify" in verify_log(capsys)


def test_a_named_witness_that_cannot_be_asked_is_a_problem_not_silence(chain, settings, capsys):
    settings.ANCHOR_WITNESS = "SE-TEST/GOV/2021009978/register/vittne"  # and no gateway here
    _made, failed = anchors.checkpoint()
    assert len(failed) == 1 and "no gateway here" in failed[0]
    assert "no gateway here to ask it through" in verify_log(capsys)
