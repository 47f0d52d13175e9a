"""`digigov exchange`: another organisation joins the federation step by step."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from digigov.core import clock
from digigov.core.actors import Actor
from digigov.core.models import AuditEntry
from digigov.exchange import actions
from digigov.exchange.log import MessageLog
from digigov.exchange.models import GatewayKey, LogArchive, MessageLogEntry, VerifiedConfiguration
from digigov.exchange.testing import signed_requests

OPERATOR = Actor.system("tests")
CLIENT = "SE-TEST/MUN/2120009994/arenden"
SERVICE_ID = "SE-TEST/GOV/2021009978/register/folkbokforing"

pytestmark = pytest.mark.django_db


def run(capsys, *arguments: str) -> str:
    call_command("exchange", *arguments)
    return capsys.readouterr().out


def test_an_organisation_joins_and_gets_a_configuration(capsys, tmp_path):
    run(capsys, "init", "--instance", "SE-TEST")
    run(
        capsys,
        "member",
        "save",
        "--class",
        "MUN",
        "--code",
        "2120009986",
        "--name",
        "Provstad kommun",
    )
    run(capsys, "subsystem", "add", "SE-TEST/MUN/2120009986", "arenden")
    run(capsys, "gateway", "register", "SE-TEST/MUN/2120009986", "gw1", "https://127.0.0.1:5601")
    (tmp_path / "api.yaml").write_text("openapi: 3.0.0\n")
    run(
        capsys,
        "service",
        "register",
        "SE-TEST/MUN/2120009986/arenden",
        "minaarenden",
        "--openapi",
        str(tmp_path / "api.yaml"),
    )
    run(
        capsys,
        "access",
        "grant",
        "SE-TEST/MUN/2120009986/arenden/minaarenden",
        "SE-TEST/MUN/2120009986/arenden",
        "--method",
        "POST",
    )

    # the organisation makes its keys; the registry's CA certifies them; it installs the certificates
    for purpose in ("sign", "tls"):
        printed = run(
            capsys, "key", "create", "SE-TEST/MUN/2120009986", "gw1", "--purpose", purpose
        )
        key_id = re.search(r"# key (\d+)", printed).group(1)
        (tmp_path / f"{purpose}.pub").write_text(printed.split("\n", 1)[1])
        arguments = [
            "certificate",
            "issue",
            "SE-TEST/MUN/2120009986",
            "--purpose",
            purpose,
            "--public-key",
            str(tmp_path / f"{purpose}.pub"),
        ]
        if purpose == "tls":
            arguments += ["--gateway", "gw1", "--host", "127.0.0.1"]
        certificate = run(capsys, *arguments)
        assert certificate.startswith("-----BEGIN CERTIFICATE-----")
        (tmp_path / f"{purpose}.pem").write_text(certificate)
        if purpose == "sign":  # by the key's id, as printed
            run(capsys, "key", "install", str(tmp_path / "sign.pem"), "--key", key_id)
        else:  # or found by the certificate itself
            run(capsys, "key", "install", str(tmp_path / "tls.pem"))
    assert GatewayKey.objects.exclude(fingerprint="").count() == 2

    anchor = run(capsys, "anchor", "export")
    (tmp_path / "anchor.pem").write_text(anchor.split("\n", 1)[1])
    run(
        capsys,
        "anchor",
        "install",
        "--instance",
        "SE-TEST",
        "--certificate",
        str(tmp_path / "anchor.pem"),
    )
    run(capsys, "publish", "--out", str(tmp_path / "conf.jws"))
    assert "accepted" in run(capsys, "configuration", "load", str(tmp_path / "conf.jws"))
    assert VerifiedConfiguration.objects.get().version == 1
    assert "0 log entries verified" in run(capsys, "verify-log")


def test_bad_input_is_a_clear_command_error(capsys, tmp_path):
    with pytest.raises(CommandError, match="not a federation registry"):
        run(capsys, "member", "save", "--class", "MUN", "--code", "1", "--name", "x")
    run(capsys, "init", "--instance", "SE-TEST")
    with pytest.raises(CommandError, match="member class"):
        run(capsys, "member", "save", "--class", "XX", "--code", "1", "--name", "x")
    with pytest.raises(CommandError, match="no member"):
        run(capsys, "subsystem", "add", "SE-TEST/MUN/404", "x")
    with pytest.raises(CommandError, match="cannot read"):
        run(capsys, "configuration", "load", str(tmp_path / "missing.jws"))
    (tmp_path / "junk.jws").write_text("not.a.jws")
    with pytest.raises(CommandError, match="anchor"):
        run(capsys, "configuration", "load", str(tmp_path / "junk.jws"))


def test_verify_log_names_a_changed_entry(capsys):
    MessageLog("SE-TEST/MUN/1/gw1").write(
        signed_requests(CLIENT, SERVICE_ID, [f"id-{n}" for n in range(3)])
    )
    assert "3 log entries verified" in run(capsys, "verify-log")
    MessageLogEntry.objects.filter(sequence=2).update(client="someone else")
    with pytest.raises(CommandError, match="1 problem"):
        run(capsys, "verify-log")
    assert "#2: was changed" in capsys.readouterr().err


def test_old_log_entries_are_archived_signed_and_the_chain_still_verifies(capsys, tmp_path, travel):
    run(capsys, "init", "--instance", "SE-TEST")
    member = actions.save_member(
        actor=OPERATOR, member_class="MUN", member_code="2120009994", name="Exempelby"
    )
    actions.run_gateway_here(
        actor=OPERATOR,
        member=member,
        code="gw1",
        host="127.0.0.1",
        client_port=1,
        server_port=2,
    )
    chain = MessageLog("SE-TEST/MUN/2120009994/gw1")
    chain.write(signed_requests(CLIENT, SERVICE_ID, [f"old-{n}" for n in range(4)]))
    travel.forward(days=40)
    later = clock.now()
    chain.write(signed_requests(CLIENT, SERVICE_ID, [f"new-{n}" for n in range(2)], later))
    out = run(
        capsys,
        "archive-log",
        "--gateway",
        "SE-TEST/MUN/2120009994/gw1",
        "--before",
        (later - dt.timedelta(days=1)).isoformat(),
        "--out",
        str(tmp_path),
    )
    assert "archived #1-#4 (4 entries)" in out
    assert MessageLogEntry.objects.count() == 2
    assert "2 log entries verified" in run(capsys, "verify-log")
    archive = LogArchive.objects.get()
    assert "verifies" in run(capsys, "verify-log", "--archive", archive.file_name)
    path = Path(archive.file_name)
    path.write_text(path.read_text().replace("old-2", "old-X"))
    with pytest.raises(CommandError, match="problem"):
        run(capsys, "verify-log", "--archive", archive.file_name)
    assert AuditEntry.objects.filter(
        action="exchange.log_archived", object_id="SE-TEST/MUN/2120009994/gw1"
    ).exists()


def test_archiving_refuses_bad_input(capsys, tmp_path):
    with pytest.raises(CommandError, match="not an ISO date"):
        run(
            capsys,
            "archive-log",
            "--gateway",
            "SE-TEST/MUN/1/gw1",
            "--before",
            "igår",
            "--out",
            str(tmp_path),
        )
    with pytest.raises(CommandError, match="no signing key"):
        run(
            capsys,
            "archive-log",
            "--gateway",
            "SE-TEST/MUN/1/gw1",
            "--before",
            "2026-01-01",
            "--out",
            str(tmp_path),
        )


def test_a_local_gateway_is_saved_through_an_action(capsys):
    from digigov.exchange.models import LocalGateway

    out = run(
        capsys,
        "local-gateway",
        "save",
        "SE-TEST/MUN/2120009994",
        "gw1",
        "--client-port",
        "8180",
        "--server-port",
        "8181",
    )
    assert "local gateway" in out
    assert LocalGateway.objects.get().server_port == 8181
    saved = AuditEntry.objects.get(action="exchange.local_gateway_saved")
    assert saved.object_id == "SE-TEST/MUN/2120009994/gw1"
    for member, ports in (("SE-TEST/MUN", ("8180", "8181")), ("SE-TEST/MUN/1", ("80", "80"))):
        with pytest.raises(CommandError):
            run(
                capsys,
                "local-gateway",
                "save",
                member,
                "gw1",
                "--client-port",
                ports[0],
                "--server-port",
                ports[1],
            )


def test_installing_what_is_not_a_certificate_of_ours_is_a_clear_error(capsys, tmp_path):
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(CommandError, match="no key of this installation's is certified"):
        run(capsys, "key", "install", str(tmp_path / "junk.pem"))


def test_a_subsystems_connection_is_set_and_bad_input_is_a_clear_error(capsys, tmp_path):
    from digigov.exchange.models import LocalClient
    from digigov.exchange.testing import self_signed

    _key, certificate = self_signed("arenden")
    (tmp_path / "arenden.pem").write_text(certificate)
    (tmp_path / "junk.pem").write_text("not a certificate")
    out = run(
        capsys, "local-client", "save", CLIENT, "--connection", "https-auth",
        "--certificate", str(tmp_path / "arenden.pem"),
    )  # fmt: skip
    assert "connects with https-auth" in out
    assert LocalClient.objects.get(subsystem="arenden").certificates == [certificate]
    for arguments, refusal in [
        (["--connection", "https-auth"], "needs the subsystem's certificate"),
        (["--connection", "https-auth", "--certificate", str(tmp_path / "junk.pem")],
         "not a PEM certificate"),
        (["--connection", "https-auth", "--certificate", str(tmp_path / "none.pem")],
         "cannot read"),
    ]:  # fmt: skip
        with pytest.raises(CommandError, match=refusal):
            run(capsys, "local-client", "save", CLIENT, *arguments)
    with pytest.raises(CommandError, match="is not instance/memberClass/memberCode"):
        run(capsys, "local-client", "save", "nonsense", "--connection", "http")
