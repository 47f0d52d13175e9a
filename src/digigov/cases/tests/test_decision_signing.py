"""A package with `signing.decisions` (Serveringstillstånd) has the case worker sign the
decision with e-ID: it is taken only with their own signature over exactly its terms."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from digigov.cases import actions, signing
from digigov.cases.models import Case, Decision
from digigov.conftest import PDF
from digigov.core.actors import Actor
from digigov.identity import actions as identity_actions
from digigov.identity.bankid.simulator.signatures import sign_here
from digigov.identity.models import StaffMembership

pytestmark = pytest.mark.django_db
ERIK = "198511224571"
HANNA = "197804122385"  # the case worker's own e-ID
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
REASONS = "Bolaget och de ansvariga är lämpliga. Polisen har inget att invända."
LICENCE = {
    "stallets_namn": "Exempelkrogen",
    "stallets_adress": {"street": "Torget 3", "postal_code": "99101", "city": "Exempelby"},
    "fastighetsbeteckning": "Exempelby Torget 1:1",
    "tillstandstyp": "stadigvarande_allmanheten",
    "drycker": ["vin", "starkol"],
    "serveringsytor": [{"benamning": "Matsal", "placering": "inomhus", "sittplatser": 40}],
    "fran": "11:00",
    "till": "01:00",
    "kok": True,
    "ansvariga": [
        {"namn": "Erik Lindqvist", "personnummer": ERIK, "roll": "vd", "kunskapsprov": True}
    ],
    "epost": "erik@exempelkrogen.se",
    "telefon": "070-123 45 67",
}


@pytest.fixture
def licence_case(services) -> Case:
    return submit_licence(services)


def submit_licence(services) -> Case:
    """Erik's application for Exempelkrogen AB, submitted and being assessed."""
    erik = Actor.person(ERIK, "Erik Lindqvist")
    application = actions.start_application(
        actor=erik,
        service_version=services["SERVERINGSTILLSTAND"],
        applicant_kind="company",
        applicant_identifier="5566778899",
        actor_loa=LOA3,
    )
    application = actions.save_answers(
        actor=erik, application=application, answers=application.answers | LICENCE
    )
    for field in ("planritning", "hyresavtal", "finansiering"):
        actions.add_attachment(
            actor=erik, application=application, field_id=field, file_name="b.pdf", chunks=[PDF]
        )
    case = actions.submit_application(actor=erik, application_id=application.pk, actor_loa=LOA3)
    return actions.take(
        staff=worker(case), case=case, transition_id="paborja", revision=case.revision
    )


def worker(case: Case, *, eid: str = HANNA) -> actions.Staff:
    user, _created = get_user_model().objects.get_or_create(username="tillstand")
    StaffMembership.objects.get_or_create(
        user=user, organisation_id=case.organisation_id, role="handlaggare"
    )
    identity_actions.set_staff_eid(actor=Actor.system("tests"), user=user, number=eid or "")
    return actions.staff_in(user, case.organisation_id)


def decision_fields(case: Case) -> dict:
    """The decision form's fields, as the case page posts them."""
    return {
        "besluta-revision": case.revision,
        "besluta-outcome": "bifall",
        "besluta-reasons": REASONS,
    }


def decide(case: Case, staff: actions.Staff, reasons: str = REASONS) -> Case:
    return actions.take(
        staff=staff,
        case=case,
        transition_id="besluta",
        revision=case.revision,
        outcome="bifall",
        reasons=reasons,
    )


def sign_terms(case: Case, staff: actions.Staff, number: str = HANNA, reasons: str = REASONS):
    to_sign = actions.terms_to_sign(case, actions.decision_terms(case, "bifall", reasons))
    return sign_here(to_sign, number, signing.decision_purpose(case))


def test_an_unsigned_decision_is_not_taken(licence_case):
    staff = worker(licence_case)
    with pytest.raises(actions.Refused) as refused:
        decide(licence_case, staff)
    assert refused.value.code == "signature_required"
    assert not Decision.objects.exists()


def test_a_signed_decision_keeps_the_signature_and_its_pdf_says_so(licence_case):
    staff = worker(licence_case)
    signature = sign_terms(licence_case, staff)
    assert "Serveringstillstånd beviljas" in signature.text and REASONS in signature.text
    decided = decide(licence_case, staff)
    decision = Decision.objects.get(case=decided)
    assert decision.signature == signature
    assert decision.signature.signer == HANNA


def test_a_signature_by_someone_else_or_over_other_reasons_does_not_count(licence_case):
    staff = worker(licence_case)
    sign_terms(licence_case, staff, number=ERIK)  # the applicant, say
    sign_terms(licence_case, staff, reasons="Andra skäl.")
    with pytest.raises(actions.Refused) as refused:
        decide(licence_case, staff)
    assert refused.value.code == "signature_required"


def test_a_case_worker_without_an_eid_cannot_take_it(licence_case):
    staff = worker(licence_case, eid="")
    with pytest.raises(actions.Refused) as refused:
        decide(licence_case, staff)
    assert refused.value.code == "no_staff_eid"


def test_on_the_page_the_worker_signs_then_takes_the_decision(licence_case, client):
    staff = worker(licence_case)
    client.force_login(staff.user)
    step = reverse("web:staff-case-step", args=[licence_case.public_id, "besluta"])
    fields = decision_fields(licence_case)
    confirm = client.post(step, fields)
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Beslutet skrivs under med e-legitimation" in page
    sign_url = reverse("web:staff-case-sign-decision", args=[licence_case.public_id, "besluta"])
    assert sign_url in page and 'name="device"' in page
    # Taking it unsigned is refused, and says why.
    refused = client.post(step, fields | {"besluta-confirmed": "1"})
    assert refused.status_code == 409
    assert "skrivas under med e-legitimation" in refused.content.decode()
    # No device chosen: a clear error, no BankID order.
    assert client.post(sign_url, fields).status_code == 400

    sign_terms(licence_case, staff)
    confirm = client.post(step, fields).content.decode()
    assert "Underskrivet med BankID av Hanna Handläggare" in confirm
    assert client.post(step, fields | {"besluta-confirmed": "1"}).status_code == 302
    assert Decision.objects.get(case=licence_case).signature.signer == HANNA


def test_a_worker_without_an_eid_is_told_on_the_page(licence_case, client):
    staff = worker(licence_case, eid="")
    client.force_login(staff.user)
    step = reverse("web:staff-case-step", args=[licence_case.public_id, "besluta"])
    fields = decision_fields(licence_case)
    page = client.post(step, fields).content.decode()
    assert "inte kopplat till någon" in page and 'name="device"' not in page
    sign_url = reverse("web:staff-case-sign-decision", args=[licence_case.public_id, "besluta"])
    assert client.post(sign_url, fields | {"device": "qr"}).status_code == 409


def test_the_signing_pages_are_scoped_to_the_cases_organisation(
    licence_case, client, other_organisation
):
    user = get_user_model().objects.create(username="annan")
    StaffMembership.objects.create(user=user, organisation=other_organisation, role="handlaggare")
    client.force_login(user)
    sign_url = reverse("web:staff-case-sign-decision", args=[licence_case.public_id, "besluta"])
    assert client.post(sign_url, {"device": "qr"}).status_code == 404
    decision_url = reverse("web:staff-case-decision", args=[licence_case.public_id])
    assert client.get(decision_url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_worker_signs_with_bankid_through_the_simulator(licence_case, client, bankid_simulator):
    from digigov.identity.bankid import flow
    from digigov.identity.bankid.simulator import actions as simulator

    staff = worker(licence_case)
    client.force_login(staff.user)
    sign_url = reverse("web:staff-case-sign-decision", args=[licence_case.public_id, "besluta"])
    fields = decision_fields(licence_case)
    started = client.post(sign_url, fields | {"device": "qr"})
    assert started.url == reverse("identity:bankid-wait")
    pending = flow.load(client.session)
    assert pending is not None and pending.operation == "sign" and pending.signer == HANNA
    simulator.scan(flow.qr_text(pending), HANNA, "192.0.2.30")
    simulator.approve(pending.order_ref, HANNA)
    flow.collect_now(pending)
    back = client.post(reverse("identity:bankid-collect")).json()
    decision_url = reverse("web:staff-case-decision", args=[licence_case.public_id])
    assert back == {"status": "complete", "next": decision_url}
    page = client.get(decision_url).content.decode()
    assert "Underskrivet med BankID av Hanna Handläggare" in page
    step = reverse("web:staff-case-step", args=[licence_case.public_id, "besluta"])
    assert client.post(step, fields | {"besluta-confirmed": "1"}).status_code == 302
    decision = Decision.objects.get(case=licence_case)
    assert decision.signature is not None and decision.signature.signer == HANNA


def test_a_system_s_api_key_cannot_take_a_signed_decision(licence_case, client):
    from digigov.cases.tests.test_org_api import key_for, move

    auth = key_for(licence_case.organisation)
    refused = move(client, auth, licence_case, "besluta", outcome="bifall", reasons=REASONS)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("decision-signed-by-person")
    assert "cannot be taken through the API" in refused.json()["detail"]
    assert not Decision.objects.exists()


def test_the_decision_s_signature_is_checked_again_by_a_command(licence_case, capsys):
    from django.core.management import CommandError, call_command

    staff = worker(licence_case)
    sign_terms(licence_case, staff)
    decide(licence_case, staff)
    number = licence_case.registrar_number
    call_command("signatures", "verify-decision", "exempelby", number)
    out = capsys.readouterr().out
    assert "signed by Hanna Handläggare (197804122385) with bankid" in out and "valid" in out
    # The kept reasons changed afterwards: the signature no longer covers them.
    Decision.objects.filter(case=licence_case).update(reasons="Andra skäl.")
    with pytest.raises(CommandError, match="not the ones signed"):
        call_command("signatures", "verify-decision", "exempelby", number)
    with pytest.raises(CommandError, match="no decided case"):
        call_command("signatures", "verify-decision", "provstad", number)


def test_a_signature_made_before_the_case_changed_does_not_count(licence_case):
    staff = worker(licence_case)
    sign_terms(licence_case, staff)
    # A letter comes in after she signed: she must look at the case again, and sign anew.
    actions.add_document(
        actor=staff.actor,
        case=licence_case,
        direction="in",
        title="Yttrande från polisen",
        counterpart="Polismyndigheten",
    )
    changed = Case.objects.get(pk=licence_case.pk)
    with pytest.raises(actions.Refused) as refused:
        decide(changed, staff)
    assert refused.value.code == "signature_required"
    sign_terms(changed, staff)
    decide(changed, staff)


def test_only_who_may_take_the_decision_now_may_sign_it(licence_case, client):
    registrar, _created = get_user_model().objects.get_or_create(username="registrator")
    StaffMembership.objects.create(
        user=registrar, organisation_id=licence_case.organisation_id, role="registrator"
    )
    client.force_login(registrar)
    sign_url = reverse("web:staff-case-sign-decision", args=[licence_case.public_id, "besluta"])
    fields = decision_fields(licence_case) | {"device": "qr"}
    assert client.post(sign_url, fields).status_code == 404
