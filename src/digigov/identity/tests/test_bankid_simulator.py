"""The BankID simulator's own behaviour: the virtual app scans and decides, orders run
on the clock, test people play failures, the evidence verifies, faults are played, and
only relying parties with a certificate from its CA get in."""

from __future__ import annotations

import base64
import ssl
import time

import httpx
import pytest
from cryptography import x509
from cryptography.x509 import ocsp
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature

from digigov.core import pki
from digigov.core.actors import Actor
from digigov.identity.bankid import certificates, client, qr
from digigov.identity.bankid.client import BankIdError
from digigov.identity.bankid.simulator import actions, rules

pytestmark = pytest.mark.django_db(transaction=True)
ANNA = "199003152387"
HERE = "192.0.2.20"


def _now_qr(order: client.Order, started: float, *, offset: int = 0) -> str:
    return qr.data(order.qr_start_token, order.qr_start_secret, int(time.time() - started) + offset)


def _started(**kwargs) -> tuple[client.Order, float]:
    order = client.auth("192.0.2.10", **kwargs)
    return order, time.time()


def test_anna_scans_the_qr_and_identifies(bankid_simulator):
    order, started = _started()
    taken = actions.scan(_now_qr(order, started), ANNA, HERE)
    assert client.collect(order.order_ref).hint_code == "userSign"
    actions.approve(taken.order_ref, ANNA)
    done = client.collect(order.order_ref)
    assert done.status == "complete"
    user = done.completion["user"]
    assert (user["personalNumber"], user["givenName"], user["surname"]) == (
        ANNA,
        "Anna",
        "Andersson",
    )
    assert done.completion["device"]["ipAddress"] == HERE
    assert done.completion["bankIdIssueDate"] < "2026-01-02"
    assert "risk" not in done.completion


def test_the_evidence_verifies_against_the_simulator_ca(bankid_simulator):
    order = client.sign("192.0.2.10", "Jag söker bygglov.", user_non_visible_data=b"digest")
    started = time.time()
    actions.scan(_now_qr(order, started), ANNA, HERE)
    actions.approve(order.order_ref, ANNA)
    completion = client.collect(order.order_ref).completion
    ca = certificates.ca_certificate()
    signature = base64.b64decode(completion["signature"])
    verified = XMLVerifier().verify(
        signature,
        x509_cert=None,
        ca_pem_file=str(certificates.simulator_files().ca_certificate),
        expect_config=_ecdsa(),
    )
    signed = verified.signed_xml
    namespace = {"b": "http://www.bankid.com/signature/v1.0.0/types"}
    visible = signed.findtext("b:usrVisibleData", namespaces=namespace)
    assert base64.b64decode(visible).decode() == "Jag söker bygglov."
    assert signed.findtext("b:clientInfo/b:personalNumber", namespaces=namespace) == ANNA
    response = ocsp.load_der_ocsp_response(base64.b64decode(completion["ocspResponse"]))
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    ca.public_key().verify(response.signature, response.tbs_response_bytes, _ecdsa_hash(response))
    # a changed text no longer verifies
    tampered = signature.replace(visible.encode(), base64.b64encode(b"Annan text"))
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(
            tampered,
            ca_pem_file=str(certificates.simulator_files().ca_certificate),
            expect_config=_ecdsa(),
        )
    assert etree.fromstring(signature) is not None


def _ecdsa():
    from signxml import SignatureConfiguration, SignatureMethod

    return SignatureConfiguration(signature_methods=frozenset({SignatureMethod.ECDSA_SHA256}))


def _ecdsa_hash(response):
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.ECDSA(response.signature_hash_algorithm)


def test_a_qr_with_a_wrong_code_or_stale_seconds_is_refused(bankid_simulator):
    order, started = _started()
    right = _now_qr(order, started)
    wrong_code = right[:-4] + ("0000" if not right.endswith("0000") else "1111")
    with pytest.raises(actions.AppError) as caught:
        actions.scan(wrong_code, ANNA, HERE)
    assert caught.value.code == "qr_stale"
    with pytest.raises(actions.AppError) as caught:
        actions.scan(_now_qr(order, started, offset=30), ANNA, HERE)  # a QR from the future
    assert caught.value.code == "qr_stale"
    with pytest.raises(actions.AppError) as caught:
        actions.scan("https://example.org/", ANNA, HERE)
    assert caught.value.code == "not_a_bankid_qr"
    assert client.collect(order.order_ref).hint_code == "outstandingTransaction"


def test_a_qr_seen_earlier_is_stale_later(bankid_simulator, travel):
    order, started = _started()
    seen = _now_qr(order, started)
    travel.forward(seconds=5)
    with pytest.raises(actions.AppError) as caught:
        actions.scan(seen, ANNA, HERE)
    assert caught.value.code == "qr_stale"


def test_an_independent_qr_generator_makes_what_the_simulator_accepts(bankid_simulator):
    from bankid.qr import generate_qr_code_content

    order, started = _started()
    text = generate_qr_code_content(order.qr_start_token, started, order.qr_start_secret)
    assert actions.scan(text, ANNA, HERE).hint_code == "userSign"


def test_an_order_expires_and_is_then_gone(bankid_simulator, travel):
    order, _started_at = _started()
    travel.forward(seconds=rules.ORDER_SECONDS + 1)
    assert (client.collect(order.order_ref).status, client.collect(order.order_ref).hint_code) == (
        "failed",
        "expiredTransaction",
    )
    travel.forward(seconds=rules.KEPT_SECONDS + 1)
    client.auth("192.0.2.10")  # housekeeping rides on new orders
    with pytest.raises(BankIdError) as caught:
        client.collect(order.order_ref)
    assert caught.value.error_code == "invalidParameters"


def test_an_expired_order_cannot_be_approved(bankid_simulator, travel):
    order, started = _started()
    actions.scan(_now_qr(order, started), ANNA, HERE)
    travel.forward(seconds=rules.ORDER_SECONDS + 1)
    with pytest.raises(actions.AppError):
        actions.approve(order.order_ref, ANNA)
    assert client.collect(order.order_ref).hint_code == "expiredTransaction"


@pytest.mark.parametrize(("number", "hint"), [(n, h) for n, (_p, h) in rules.SCENARIOS.items()])
def test_scenario_people_play_their_failure(bankid_simulator, number, hint):
    order, started = _started()
    actions.scan(_now_qr(order, started), number, HERE)
    collected = client.collect(order.order_ref)
    assert (collected.status, collected.hint_code) == ("failed", hint)


def test_cancel_in_the_app_is_user_cancel(bankid_simulator):
    order, started = _started()
    actions.scan(_now_qr(order, started), ANNA, HERE)
    actions.decline(order.order_ref, ANNA)
    assert client.collect(order.order_ref).hint_code == "userCancel"


def test_a_second_order_taken_by_the_same_person_cancels_the_first(bankid_simulator):
    first, first_started = _started()
    actions.scan(_now_qr(first, first_started), ANNA, HERE)
    second, second_started = _started()
    actions.scan(_now_qr(second, second_started), ANNA, HERE)
    assert client.collect(first.order_ref).hint_code == "cancelled"
    assert client.collect(second.order_ref).hint_code == "userSign"


def test_the_autostart_token_opens_the_order_once(bankid_simulator):
    order = client.auth(
        "192.0.2.10", return_url="https://digigov.example/eid/bankid/tillbaka?nonce=x"
    )
    taken = actions.open_with_token(order.auto_start_token, ANNA, HERE)
    assert taken.return_url.endswith("nonce=x")
    with pytest.raises(actions.AppError) as caught:
        actions.open_with_token(order.auto_start_token, "198511224571", HERE)
    assert caught.value.code == "order_taken"


def test_an_order_for_someone_else_finds_no_bankid_in_this_app(bankid_simulator):
    order = client.auth("192.0.2.10", personal_number="198511224571")
    with pytest.raises(actions.AppError) as caught:
        actions.open_with_token(order.auto_start_token, ANNA, HERE)
    assert caught.value.code == "not_for_you"
    assert client.collect(order.order_ref).hint_code == "started"


def test_risk_is_returned_when_asked(bankid_simulator, settings):
    settings.BANKID_RETURN_RISK = True
    order, started = _started()
    actions.scan(_now_qr(order, started), ANNA, HERE)
    actions.approve(order.order_ref, ANNA)
    assert client.collect(order.order_ref).completion["risk"] == "low"


def test_maintenance_and_a_slow_service_are_told(bankid_simulator, settings):
    actions.set_fault("maintenance", actor=Actor.system("tests"))
    with pytest.raises(BankIdError) as caught:
        client.auth("192.0.2.10")
    assert (caught.value.error_code, caught.value.status) == ("maintenance", 503)
    settings.BANKID_TIMEOUT = 0.3
    client.forget_connections()
    actions.set_fault("timeout", actor=Actor.system("tests"))
    with pytest.raises(BankIdError) as caught:
        client.auth("192.0.2.10")
    assert caught.value.error_code == "requestTimeout"
    actions.set_fault("", actor=Actor.system("tests"))
    assert client.auth("192.0.2.10").order_ref


def _tls(certificate: str | None, key: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(certificates.simulator_files().ca_certificate))
    if certificate and key:
        context.load_cert_chain(certificate, key)
    return context


def test_only_relying_parties_with_a_certificate_from_its_ca_get_in(bankid_simulator, tmp_path):
    where = client.endpoint()
    with pytest.raises(httpx.HTTPError):
        httpx.post(f"{where.url}/auth", json={"endUserIp": "192.0.2.10"}, verify=_tls(None, None))
    from cryptography.hazmat.primitives import serialization

    # a CA of its own, with the same name as the simulator's
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from digigov.core.pki import private_pem
    from digigov.identity.bankid.certificates import _issue, _name

    stranger = ec.generate_private_key(ec.SECP256R1())
    key, certificate = _issue(
        stranger, _name("Digigov BankID simulator test CA"), "RP", ExtendedKeyUsageOID.CLIENT_AUTH
    )
    (tmp_path / "key.pem").write_bytes(private_pem(key))
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(httpx.HTTPError):
        httpx.post(
            f"{where.url}/auth",
            json={"endUserIp": "192.0.2.10"},
            verify=_tls(str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")),
        )


def test_one_relying_party_cannot_collect_another_s_order(bankid_simulator, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from digigov.identity.bankid.certificates import _issue, _name, ca_key

    order = client.auth("192.0.2.10")
    other_key, other = _issue(
        ca_key(),
        _name("Digigov BankID simulator test CA"),
        "Another RP",
        ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    (tmp_path / "other.pem").write_bytes(other.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "other-key.pem").write_bytes(pki.private_pem(other_key))
    mine = client.endpoint()
    theirs = client.Endpoint(
        mine.url, str(tmp_path / "other.pem"), str(tmp_path / "other-key.pem"), mine.ca
    )
    with pytest.raises(BankIdError) as caught:
        client.collect(order.order_ref, where=theirs)
    assert caught.value.error_code == "invalidParameters"
    assert client.collect(order.order_ref).status == "pending"
    assert isinstance(other, x509.Certificate)
