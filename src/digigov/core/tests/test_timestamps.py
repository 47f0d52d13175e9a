"""RFC 3161 timestamps of the logs' anchors, from a real timestamping authority: OpenSSL's
own `openssl ts -reply`, which also verifies what Digigov keeps (`openssl ts -verify`)."""

import hashlib
import json
import subprocess

import pytest

from digigov.core import anchors, audit, timestamps
from digigov.core.tests import tsa
from digigov.core.tests.test_audit import write_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def authority(tmp_path, settings):
    paths = tsa.make_tsa(tmp_path)
    server = tsa.serve(paths)
    settings.ANCHOR_TSA = f"http://127.0.0.1:{server.server_address[1]}/"
    yield {**paths, "url": settings.ANCHOR_TSA}
    server.shutdown()


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def rewrite(path, documents):
    """Write the checkpoint file anew, chained as the store chains it (an attacker who
    knows how)."""
    previous, out = anchors.GENESIS, []
    for document in documents:
        document = {**document, "previous": previous}
        line = json.dumps(document, sort_keys=True, separators=(",", ":"))
        out.append(line)
        previous = hashlib.sha256(line.encode()).hexdigest()
    path.write_text("\n".join(out) + "\n")


def test_each_checkpoint_is_timestamped_and_openssl_verifies_it(authority, organisation, tmp_path):
    write_entries(organisation)
    made, failed = anchors.checkpoint()
    assert failed == [] and made.timestamp is not None
    [kept] = anchors.stores()[0].checkpoints()
    assert kept.timestamp == made.timestamp
    (tmp_path / "data").write_bytes(kept.stamped())
    (tmp_path / "token.der").write_bytes(kept.timestamp)
    verified = subprocess.run(
        [tsa.OPENSSL, "ts", "-verify", "-data", str(tmp_path / "data"), "-in",
         str(tmp_path / "token.der"), "-token_in", "-CAfile", str(authority["ca"]),
         "-untrusted", str(authority["cert"])],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    assert "Verification: OK" in verified.stdout
    assert audit.verify().ok


def test_a_checkpoint_file_rebuilt_afterwards_is_seen(authority, organisation):
    write_entries(organisation)
    anchors.checkpoint()
    anchors.checkpoint()
    path = anchors.stores()[0].path
    first, second = lines(path)
    chain = audit.chain_for(organisation)
    forged = {**first, "heads": {**first["heads"], f"audit:{chain}": [1, "0" * 64]}}
    rewrite(path, [forged, {k: v for k, v in second.items() if k != "timestamp"}])
    messages = [problem.message for problem in audit.verify().problems]
    assert any("the token is for other data" in m for m in messages), messages
    assert any("has no timestamp, though those from" in m for m in messages), messages


def test_a_timestamp_by_another_authority_is_refused_when_the_tsa_is_named(
    authority, organisation, settings, tmp_path
):
    write_entries(organisation)
    anchors.checkpoint()
    (tmp_path / "other").mkdir()
    other = tsa.make_tsa(tmp_path / "other")
    settings.ANCHOR_TSA_CERTIFICATE = str(other["cert"])
    messages = [problem.message for problem in audit.verify().problems]
    assert any("not trusted" in m for m in messages), messages
    settings.ANCHOR_TSA_CERTIFICATE = str(authority["cert"])
    assert audit.verify().ok


def test_without_the_authority_the_checkpoint_is_still_kept(organisation, settings):
    settings.ANCHOR_TSA = "http://127.0.0.1:9/"
    made, failed = anchors.checkpoint()
    assert made.timestamp is None and len(failed) == 1 and "TSA" in failed[0]
    assert len(anchors.stores()[0].checkpoints()) == 1


def test_a_token_changed_by_one_bit_does_not_verify(authority):
    data = b"what was anchored"
    token = bytearray(timestamps.stamp(authority["url"], data).token)
    token[-3] ^= 1
    with pytest.raises(timestamps.TimestampError):
        timestamps.check(bytes(token), data)


def test_a_file_rebuilt_with_no_timestamps_at_all_is_seen_while_a_tsa_is_named(
    authority, organisation
):
    write_entries(organisation)
    anchors.checkpoint()
    path = anchors.stores()[0].path
    rewrite(path, [{k: v for k, v in line.items() if k != "timestamp"} for line in lines(path)])
    messages = [problem.message for problem in audit.verify().problems]
    assert "no checkpoint is timestamped, though a TSA is named" in messages
