"""The portal inbox: a case step tells the applicant, who reads it on Mina sidor; nobody
else does, and a sign-in below the case's level is asked to sign in again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from digigov.cases import actions as case_actions
from digigov.conftest import ANNA, sign_in_resident
from digigov.core import clock
from digigov.core.actors import Actor
from digigov.core.models import AuditEntry
from digigov.messages import actions as message_actions
from digigov.messages.models import Delivery, Message

pytestmark = pytest.mark.django_db
ERIK = "198511224571"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


@pytest.fixture
def requested(bygglov_case, organisation, case_worker):
    """The case worker asks Anna to complete her Bygglov application."""
    staff = case_actions.staff_in(case_worker, organisation.pk)
    case = case_actions.take(staff=staff, case=bygglov_case, transition_id="paborja", revision=1)
    return case_actions.take(
        staff=staff,
        case=case,
        transition_id="begar_komplettering",
        revision=case.revision,
        message="Skicka en situationsplan med måtten utsatta.",
        due_on=clock.today() + dt.timedelta(weeks=3),
    )


def test_a_completion_request_reaches_the_applicant_s_inbox(requested):
    message = Message.objects.get(message_type="case.completion_requested")
    assert message.recipient == ANNA and message.case_public_id == requested.public_id
    assert message.subject_sv == f"Begäran om komplettering i ärende {requested.registrar_number}"
    assert "Skicka en situationsplan med måtten utsatta." in message.body_sv
    assert "Answer by" in message.body_en
    [delivery] = message.deliveries.all()
    assert (delivery.channel, delivery.status) == ("portal", "delivered")
    # the receipt of the application was the first
    assert [m.message_type for m in Message.objects.order_by("pk")] == [
        "application.received",
        "case.completion_requested",
    ]
    assert AuditEntry.objects.filter(action="message.created").count() == 2


def test_anna_reads_it_on_mina_sidor_and_that_is_its_receipt(requested, client):
    sign_in_resident(client, ANNA)
    assert "2 olästa" in client.get(reverse("web:my-pages")).content.decode()
    inbox = client.get(reverse("web:inbox")).content.decode()
    message = Message.objects.get(message_type="case.completion_requested")
    url = reverse("web:message", args=[message.public_id])
    assert url in inbox and "Oläst" in inbox
    page = client.get(url).content.decode()
    assert "Skicka en situationsplan med måtten utsatta." in page
    assert reverse("web:my-case", args=[requested.public_id]) in page
    message.refresh_from_db()
    assert message.read_at is not None
    assert Delivery.objects.get(message=message).status == "read"
    client.get(url)  # a second reading is no new receipt
    assert AuditEntry.objects.filter(action="message.read").count() == 1
    assert "1 oläst" in client.get(reverse("web:my-pages")).content.decode()


def test_nobody_else_reads_it(requested, client):
    message = Message.objects.get(message_type="case.completion_requested")
    sign_in_resident(client, ERIK)
    assert client.get(reverse("web:message", args=[message.public_id])).status_code == 404
    assert message.subject_sv not in client.get(reverse("web:inbox")).content.decode()
    assert client.get(reverse("web:message", args=["not-an-id"])).status_code == 404
    assert message.read_at is None


def test_below_the_case_s_level_it_is_not_shown_but_offered(requested, client):
    message = Message.objects.get(message_type="case.completion_requested")
    sign_in_resident(client, ANNA, loa=LOA2)
    inbox = client.get(reverse("web:inbox")).content.decode()
    assert message.subject_sv not in inbox and "Logga in igen för att se dem" in inbox
    assert client.get(reverse("web:message", args=[message.public_id])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_inbox_in_a_browser(requested, live_server, page):
    from digigov.conftest import assert_no_violations

    base = live_server.url
    page.goto(f"{base}/eid/start/test/")
    page.get_by_role("button", name=f"Anna Andersson ({ANNA})").click()
    page.wait_for_url(f"{base}/mina-sidor/")
    page.get_by_role("link", name="Meddelanden (2 olästa)").click()
    assert_no_violations(page, "the inbox")
    page.get_by_role(
        "link", name=f"Begäran om komplettering i ärende {requested.registrar_number}"
    ).click()
    assert "Skicka en situationsplan med måtten utsatta." in page.content()
    assert_no_violations(page, "a message")
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("link", name="Alla meddelanden").click()
    assert page.locator(".tag").count() == 1  # the receipt, still unread
    assert_no_violations(page, "the inbox, read")


def test_the_applicant_is_told_of_each_step(requested, organisation, case_worker):
    staff = case_actions.staff_in(case_worker, organisation.pk)
    case = case_actions.take(
        staff=staff,
        case=requested,
        transition_id="komplettering_inkommen",
        revision=requested.revision,
        message="Kom in med posten.",
    )
    case = case_actions.extend_deadline(
        staff=staff, case=case, days=30, reason="Remiss till länsstyrelsen.", revision=case.revision
    )
    case = case_actions.take(
        staff=staff,
        case=case,
        transition_id="besluta",
        revision=case.revision,
        outcome="bifall",
        reasons="Åtgärden följer detaljplanen.",
    )
    told = {m.message_type: m for m in Message.objects.filter(recipient=ANNA)}
    assert set(told) == {
        "application.received",
        "case.completion_requested",
        "case.deadline_extended",
        "case.decided",
    }
    assert "med 30 dagar" in told["case.deadline_extended"].body_sv
    assert "Remiss till länsstyrelsen." in told["case.deadline_extended"].body_sv
    assert "Bygglov beviljas" in told["case.decided"].body_sv
    assert all(m.case_public_id == case.public_id for m in told.values())


def test_the_case_worker_sees_what_the_applicant_was_told_and_whether_it_was_read(
    requested, case_worker, client
):
    client.force_login(case_worker)
    url = reverse("web:staff-case", args=[requested.public_id])
    page = client.get(url).content.decode()
    assert f"Begäran om komplettering i ärende {requested.registrar_number}" in page
    assert "Mina sidor: Levererat" in page
    message = Message.objects.get(message_type="case.completion_requested")
    message_actions.mark_read(actor=Actor.person(ANNA), message=message)
    assert "Mina sidor: Läst" in client.get(url).content.decode()
