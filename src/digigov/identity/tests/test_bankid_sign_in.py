"""Signing in with BankID through the pages, against the simulator: another device (QR)
and this device (autostart and returnUrl), the messages BankID's failures give, cancel,
step-up, and nobody signed in on a failed check."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from digigov.identity.bankid import flow, messages
from digigov.identity.bankid.simulator import actions
from digigov.identity.models import SignIn, SimulatedBankIdOrder
from digigov.identity.session import SESSION_KEY

pytestmark = pytest.mark.django_db(transaction=True)
ANNA = "199003152387"
APP_IP = "192.0.2.30"


def _start(client, device: str, **extra):
    response = client.post(
        reverse("identity:bankid-start"), {"device": device, "next": "/mina-sidor/", **extra}
    )
    return response


def _pending(client) -> flow.Pending:
    pending = flow.load(client.session)
    assert pending is not None
    return pending


def _collect(client):
    # the page collects at most every two seconds, as BankID asks: not wait here
    flow.collect_now(_pending(client))
    return client.post(reverse("identity:bankid-collect")).json()


def test_anna_signs_in_on_another_device_with_the_qr(client, bankid_simulator):
    assert _start(client, "qr").url == reverse("identity:bankid-wait")
    page = client.get(reverse("identity:bankid-wait"))
    assert page.status_code == 200
    assert b"<svg" in page.content
    assert str(messages.TEXTS["RFA1"]).encode() in page.content
    pending = _pending(client)
    assert pending.qr_start_secret.encode() not in page.content  # never to the browser
    image = client.get(reverse("identity:bankid-qr")).json()
    assert "<svg" in image["svg"] and image["text"].startswith("bankid.")
    assert _collect(client)["message"] == messages.text("RFA1")
    # the virtual app reads what the page shows now
    actions.scan(flow.qr_text(pending), ANNA, APP_IP)
    assert _collect(client)["message"] == messages.text("RFA9")
    actions.approve(pending.order_ref, ANNA)
    answer = _collect(client)
    assert answer == {"status": "complete", "next": "/mina-sidor/"}
    signed_in = client.session[SESSION_KEY]
    assert signed_in["number"] == ANNA
    assert signed_in["loa"] == flow.LOA and signed_in["provider"] == "bankid"
    evidence = SignIn.objects.get(pk=signed_in["sign_in"])
    assert evidence.method == "bankid"
    assert evidence.evidence["completionData"]["user"]["personalNumber"] == ANNA
    assert evidence.evidence["completionData"]["signature"]
    assert flow.load(client.session) is None


def test_anna_signs_in_with_bankid_on_this_device(client, bankid_simulator):
    _start(client, "this")
    page = client.get(reverse("identity:bankid-wait")).content.decode()
    pending = _pending(client)
    launch = re.search(r'id="bankid-launch" href="([^"]+)"', page).group(1)
    assert pending.auto_start_token in launch
    assert launch.startswith(reverse("identity:bankid-app"))
    order = actions.open_with_token(pending.auto_start_token, ANNA, APP_IP)
    assert order.return_url.endswith(f"nonce={pending.nonce}")
    actions.approve(order.order_ref, ANNA)
    back = client.get(order.return_url.removeprefix("http://testserver"))
    assert back.status_code == 302 and back.url == "/mina-sidor/"
    assert client.session[SESSION_KEY]["number"] == ANNA


def test_the_virtual_app_pages_take_the_person_back(client, bankid_simulator):
    _start(client, "this")
    pending = _pending(client)
    app = client.get(reverse("identity:bankid-app"), {"autostarttoken": pending.auto_start_token})
    assert app.status_code == 200
    opened = client.post(
        reverse("identity:bankid-app"),
        {"person": ANNA, "autostarttoken": pending.auto_start_token},
    )
    assert opened.status_code == 302
    shown = client.get(opened.url)
    assert "Identifiera" in shown.content.decode()
    decided = client.post(
        reverse("identity:bankid-app-decide", args=[pending.order_ref]), {"approve": "1"}
    )
    assert decided.url.startswith("http://testserver/eid/bankid/tillbaka?nonce=")
    assert client.get(decided.url.removeprefix("http://testserver")).url == "/mina-sidor/"


def test_the_app_page_scans_a_pasted_qr_and_refuses_a_stale_one(client, bankid_simulator, travel):
    _start(client, "qr")
    pending = _pending(client)
    stale = flow.qr_text(pending)
    travel.forward(seconds=5)
    refused = client.post(reverse("identity:bankid-app"), {"person": ANNA, "qr": stale})
    assert refused.status_code == 400
    assert "för gammal" in refused.content.decode()
    taken = client.post(
        reverse("identity:bankid-app"),
        {"person": ANNA, "qr": flow.qr_text(pending, now=time.time() + 5)},
    )
    assert taken.status_code == 302
    assert SimulatedBankIdOrder.objects.get(order_ref=pending.order_ref).hint_code == "userSign"


def test_the_app_page_reads_a_picture_of_the_qr(client, bankid_simulator):
    import io

    import segno

    _start(client, "qr")
    pending = _pending(client)
    picture = io.BytesIO()
    segno.make_qr(flow.qr_text(pending)).save(picture, kind="png", scale=6)
    picture.seek(0)
    picture.name = "qr.png"
    taken = client.post(reverse("identity:bankid-app"), {"person": ANNA, "picture": picture})
    assert taken.status_code == 302, taken.content.decode()
    junk = io.BytesIO(b"not a picture")
    junk.name = "junk.png"
    refused = client.post(reverse("identity:bankid-app"), {"person": ANNA, "picture": junk})
    assert refused.status_code == 400


def test_a_wrong_nonce_signs_nobody_in(client, bankid_simulator):
    _start(client, "this")
    pending = _pending(client)
    order = actions.open_with_token(pending.auto_start_token, ANNA, APP_IP)
    actions.approve(order.order_ref, ANNA)
    response = client.get(reverse("identity:bankid-return"), {"nonce": "guessed"})
    assert response.status_code == 400
    assert SESSION_KEY not in client.session
    # from another browser, even the right nonce signs nobody in
    from django.test import Client

    other = Client()
    assert other.get(order.return_url.removeprefix("http://testserver")).status_code == 400
    assert SESSION_KEY not in other.session


@pytest.mark.parametrize(("number", "rfa"), [("197510102317", "RFA16"), ("196804041413", "RFA17B")])
def test_a_failed_order_shows_bankid_s_message(client, bankid_simulator, number, rfa):
    _start(client, "qr")
    pending = _pending(client)
    actions.scan(flow.qr_text(pending), number, APP_IP)
    assert _collect(client)["status"] == "failed"
    page = client.get(reverse("identity:bankid-wait"))
    assert messages.text(rfa) in page.content.decode()
    assert SESSION_KEY not in client.session


def test_cancel_in_the_app_and_expiry_show_their_messages(client, bankid_simulator, travel):
    _start(client, "qr")
    pending = _pending(client)
    actions.scan(flow.qr_text(pending), ANNA, APP_IP)
    actions.decline(pending.order_ref, ANNA)
    _collect(client)
    assert messages.text("RFA6") in client.get(reverse("identity:bankid-wait")).content.decode()
    _start(client, "qr")
    travel.forward(seconds=200)
    _collect(client)
    assert messages.text("RFA8") in client.get(reverse("identity:bankid-wait")).content.decode()


def test_the_person_cancels_and_the_order_is_cancelled_at_bankid(client, bankid_simulator):
    _start(client, "qr")
    pending = _pending(client)
    response = client.post(reverse("identity:bankid-cancel"))
    assert response.status_code == 302
    assert not SimulatedBankIdOrder.objects.filter(order_ref=pending.order_ref).exists()
    assert flow.load(client.session) is None


def test_a_new_order_cancels_the_browser_s_earlier_one(client, bankid_simulator):
    _start(client, "qr")
    first = _pending(client)
    _start(client, "this")
    assert not SimulatedBankIdOrder.objects.filter(order_ref=first.order_ref).exists()


def test_maintenance_at_start_says_so(client, bankid_simulator, system_actor):
    actions.set_fault("maintenance", actor=system_actor)
    response = _start(client, "qr")
    assert response.status_code == 503
    assert messages.text("RFA5") in response.content.decode()
    assert flow.load(client.session) is None


def test_maintenance_while_collecting_keeps_the_order(client, bankid_simulator, system_actor):
    _start(client, "qr")
    actions.set_fault("maintenance", actor=system_actor)
    answer = _collect(client)
    assert answer["status"] == "pending" and answer["message"] == messages.text("RFA5")
    actions.set_fault("", actor=system_actor)
    assert _collect(client)["message"] == messages.text("RFA1")


def test_step_up_to_loa4_does_not_offer_bankid(client, bankid_simulator):
    from digigov.identity import loa

    page = client.get(reverse("identity:sign-in"), {"loa": loa.LOA4})
    assert "/eid/start/bankid/" not in page.content.decode()
    assert "/eid/start/bankid/" in client.get(reverse("identity:sign-in")).content.decode()
    refused = _start(client, "qr", loa=loa.LOA4)
    assert refused.status_code == 403
    assert flow.load(client.session) is None


def test_no_device_chosen_is_a_clear_error(client, bankid_simulator):
    response = client.post(reverse("identity:bankid-start"), {"device": "fax"})
    assert response.status_code == 400
    assert "Välj var du har ditt BankID" in response.content.decode()


def test_the_pages_without_an_order_send_the_person_to_start(client, bankid_simulator):
    assert client.get(reverse("identity:bankid-wait")).url == reverse("identity:bankid")
    assert client.get(reverse("identity:bankid-qr")).status_code == 204
    assert client.post(reverse("identity:bankid-collect")).json()["status"] == "failed"


def test_collect_asks_bankid_at_most_every_two_seconds(client, bankid_simulator, monkeypatch):
    from digigov.identity.bankid import client as bankid_client

    _start(client, "qr")
    asked = []
    real = bankid_client.collect
    monkeypatch.setattr(bankid_client, "collect", lambda ref, **kw: asked.append(ref) or real(ref))
    for _ in range(5):
        client.post(reverse("identity:bankid-collect"))
    assert len(asked) == 1
