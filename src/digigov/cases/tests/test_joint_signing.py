"""A company whose signatories sign together (firmateckning i förening): one of them fills in
the application and signs, the others are asked through the portal, and it is filed only
when as many as the company register says have signed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from digigov.cases import actions, queries, signing
from digigov.cases.models import Application, CoSigner
from digigov.conftest import ANNA, BYGGLOV_ANSWERS, PDF, sign_application, sign_in_resident
from digigov.core.actors import Actor
from digigov.core.models import AuditEntry
from digigov.identity.bankid.simulator.signatures import sign_here
from digigov.registers.models import CompanyRecord, CompanySignatory

pytestmark = pytest.mark.django_db
GUNNEL = "192507043327"
ERIK = "198511224571"
PROVSTAD_BYGG = "5599112231"  # Anna and Gunnel sign together
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


def company_draft(services) -> Application:
    anna = Actor.person(ANNA, "Anna Andersson")
    application = actions.start_application(
        actor=anna,
        service_version=services["BYGGLOV"],
        applicant_kind="company",
        applicant_identifier=PROVSTAD_BYGG,
        actor_loa=LOA3,
    )
    answers = BYGGLOV_ANSWERS | {"fastighetsbeteckning": "Provstad Verkstaden 2:7"}
    application = actions.save_answers(actor=anna, application=application, answers=answers)
    for field in ("situationsplan", "planritning", "fasadritning"):
        actions.add_attachment(
            actor=anna, application=application, field_id=field, file_name="r.pdf", chunks=[PDF]
        )
    application.refresh_from_db()
    return application


def submit(application: Application):
    return actions.submit_application(
        actor=Actor.person(ANNA), application_id=application.pk, actor_loa=LOA3
    )


def test_a_joint_signatory_may_start_only_an_application_that_is_signed(services):
    application = company_draft(services)
    assert application.applicant_name == "Provstad Bygg och Fastighet AB"
    # A service without signing cannot gather the others' consent: Anna alone may not;
    # and Erik is no signatory of Provstad Bygg at all.
    for person, code in ((ANNA, "SERVERINGSTILLSTAND"), (ERIK, "BYGGLOV")):
        with pytest.raises(ValidationError) as refused:
            actions.start_application(
                actor=Actor.person(person),
                service_version=services[code],
                applicant_kind="company",
                applicant_identifier=PROVSTAD_BYGG,
                actor_loa=LOA3,
            )
        assert refused.value.code == "not_representative"


def test_it_is_filed_only_when_both_have_signed(services):
    application = company_draft(services)
    sign_application(application, ANNA)
    application.refresh_from_db()
    assert application.signatures_required == 2
    assert [c.personal_identity_number for c in application.cosigners.all()] == [GUNNEL]
    assert list(queries.awaiting_signature_of(GUNNEL)) == [application]

    with pytest.raises(ValidationError) as refused:
        submit(application)
    assert refused.value.code == "signatures_missing"
    assert refused.value.params == {"count": 1}
    assert Application.objects.get(pk=application.pk).status == "draft"

    sign_application(application, GUNNEL)
    case = submit(application)
    application.refresh_from_db()
    assert application.status == "submitted"
    assert {s.signer for s in signing.signatures_of(application)} == {ANNA, GUNNEL}
    submitted = AuditEntry.objects.get(action="application.submitted")
    assert submitted.data["signers"] == sorted([ANNA, GUNNEL])
    assert submitted.on_behalf_of == PROVSTAD_BYGG
    assert case.applicant_identifier == PROVSTAD_BYGG
    assert list(queries.awaiting_signature_of(GUNNEL)) == []
    # A signature made after the filing is not part of it.
    sign_here(signing.to_sign(application), GUNNEL, signing.purpose_of(application))
    assert len(signing.signatures_of(application)) == 2


def test_the_filler_signs_too_and_a_stranger_does_not_count(services):
    application = company_draft(services)
    actions.prepare_signing(actor=Actor.person(ANNA), application=application)
    sign_application(application, GUNNEL)
    with pytest.raises(ValidationError) as refused:
        submit(application)
    assert refused.value.code == "signature_required"  # Anna's own is still missing
    sign_application(application, ERIK)  # signs what he was never asked to
    with pytest.raises(ValidationError) as refused:
        submit(application)
    assert refused.value.code == "signature_required"
    assert queries.draft_to_sign(ERIK, application.public_id, loa=LOA3) is None


def test_a_change_after_signing_asks_everyone_again(services):
    application = company_draft(services)
    sign_application(application, ANNA)
    sign_application(application, GUNNEL)
    application.refresh_from_db()
    actions.save_answers(
        actor=Actor.person(ANNA),
        application=application,
        answers=application.answers | {"bruttoarea": "40"},
    )
    assert not CoSigner.objects.filter(application=application).exists()
    assert list(queries.awaiting_signature_of(GUNNEL)) == []
    with pytest.raises(ValidationError) as refused:
        submit(application)
    assert refused.value.code == "signature_required"


def test_the_register_decides_at_submission_not_what_was_kept(services):
    application = company_draft(services)
    sign_application(application, ANNA)
    sign_application(application, GUNNEL)
    # Gunnel leaves the board after signing: her signature no longer represents the company.
    CompanySignatory.objects.filter(personal_identity_number=GUNNEL).delete()
    CompanySignatory.objects.create(
        company=CompanyRecord.objects.get(organisation_number=PROVSTAD_BYGG),
        personal_identity_number=ERIK,
        name="Erik Lindqvist",
    )
    with pytest.raises(ValidationError) as refused:
        submit(application)
    assert refused.value.code == "signatures_missing"
    # Going on to signing again asks whom the register names now: Erik, not Gunnel.
    application.refresh_from_db()
    actions.prepare_signing(actor=Actor.person(ANNA), application=application)
    assert [c.personal_identity_number for c in application.cosigners.all()] == [ERIK]
    assert list(queries.awaiting_signature_of(GUNNEL)) == []
    sign_application(application, ERIK)
    submit(application)
    application.refresh_from_db()
    # The filing shows the signatures it counted: Gunnel's no longer represents the company.
    assert {s.signer for s in signing.signatures_of(application)} == {ANNA, ERIK}


def test_the_other_signatory_is_asked_on_mina_sidor_and_signs_there(services, client):
    application = company_draft(services)
    sign_application(application, ANNA)
    sign_url = reverse("web:application-sign", args=[application.public_id])
    document_url = reverse("web:application-sign-document", args=[application.public_id])

    sign_in_resident(client, GUNNEL)
    mine = client.get(reverse("web:my-pages"))
    assert "Väntar på din underskrift" in mine.content.decode()
    assert sign_url in mine.content.decode()
    page = client.get(sign_url)
    assert page.status_code == 200
    assert "Provstad Bygg och Fastighet AB" in page.content.decode()
    assert 'name="device"' in page.content.decode()  # she may sign
    assert "Skicka in ansökan" not in page.content.decode()  # but not submit
    assert client.get(document_url).status_code == 200
    # She may open the attachments whose hashes she signs, as long as she is asked to sign.
    attachment = application.attachments.first()
    attachment_url = reverse("web:attachment", args=[attachment.public_id])
    assert attachment_url in page.content.decode()
    assert client.get(attachment_url).status_code == 200
    # She cannot change or submit what Anna filled in.
    review = reverse("web:application-review", args=[application.public_id])
    assert client.get(review).status_code == 404
    assert client.post(review).status_code == 404

    sign_application(application, GUNNEL)
    assert sign_url not in client.get(reverse("web:my-pages")).content.decode()  # done
    page = client.get(sign_url)
    assert 'name="device"' not in page.content.decode()
    assert "Den som fyllde i ansökan kan nu skicka in den" in page.content.decode()

    sign_in_resident(client, ANNA)
    page = client.get(sign_url)
    assert "Skicka in ansökan" in page.content.decode()
    assert client.post(review).status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"


def test_nobody_else_sees_a_draft_to_sign(services, client):
    application = company_draft(services)
    sign_application(application, ANNA)
    sign_in_resident(client, ERIK)
    assert (
        client.get(reverse("web:application-sign", args=[application.public_id])).status_code == 404
    )
    document = reverse("web:application-sign-document", args=[application.public_id])
    assert client.get(document).status_code == 404
    attachment = application.attachments.first()
    assert client.get(reverse("web:attachment", args=[attachment.public_id])).status_code == 404
    assert "Väntar på din underskrift" not in client.get(reverse("web:my-pages")).content.decode()


def test_while_anna_waits_the_page_names_who_is_asked(services, client):
    application = company_draft(services)
    sign_application(application, ANNA)
    sign_in_resident(client, ANNA)
    page = client.get(reverse("web:application-sign", args=[application.public_id]))
    text = page.content.decode()
    assert "ytterligare 1 firmatecknare" in text and "Gunnel Berg" in text
    assert "Skicka in ansökan" not in text
    review = reverse("web:application-review", args=[application.public_id])
    refused = client.post(review)
    assert refused.status_code == 302 and refused.url.endswith("/skriv-under/")


def test_once_all_have_signed_the_review_page_offers_to_submit(services, client):
    application = company_draft(services)
    sign_application(application, ANNA)
    review = reverse("web:application-review", args=[application.public_id])
    sign_in_resident(client, ANNA)
    assert "Gå vidare till underskrift" in client.get(review).content.decode()
    sign_application(application, GUNNEL)
    page = client.get(review).content.decode()
    assert "Gå vidare till underskrift" not in page
    assert "Skicka in ansökan" in page and "underskriven av alla" in page


def test_signed_in_too_low_she_is_told_to_sign_in_again_to_see_it(services, client):
    application = company_draft(services)
    sign_application(application, ANNA)
    sign_in_resident(client, GUNNEL, loa="http://id.elegnamnden.se/loa/1.0/loa2")
    page = client.get(reverse("web:my-pages")).content.decode()
    assert "Väntar på din underskrift" not in page
    assert "Logga in igen för att se dem" in page


def test_the_service_page_offers_the_company_only_where_applications_are_signed(services, client):
    sign_in_resident(client, ANNA)
    slug = services["BYGGLOV"].organisation.slug
    signed = client.get(f"/e-tjanster/{slug}/BYGGLOV/").content.decode()
    assert "Provstad Bygg och Fastighet AB" in signed
    assert "2 firmatecknare skriver under tillsammans" in signed
    unsigned = client.get(f"/e-tjanster/{slug}/SERVERINGSTILLSTAND/").content.decode()
    assert "Provstad Bygg och Fastighet AB" not in unsigned
