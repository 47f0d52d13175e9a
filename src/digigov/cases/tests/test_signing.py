"""Signing an application with e-ID: what is signed, what is refused, and checking it
again later."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from digigov.cases import actions, signing
from digigov.cases.models import Application
from digigov.conftest import ANNA, BYGGLOV_ANSWERS, PDF, sign_application, submit_bygglov
from digigov.core.actors import Actor
from digigov.identity import actions as identity_actions
from digigov.identity.bankid.simulator import evidence
from digigov.identity.models import Signature
from digigov.identity.signing import NotSigned, ToSign, digest_of

pytestmark = pytest.mark.django_db
ERIK = "198511224571"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


def draft(services) -> Application:
    actor = Actor.person(ANNA)
    application = actions.start_application(
        actor=actor,
        service_version=services["BYGGLOV"],
        applicant_kind="person",
        applicant_identifier=ANNA,
        actor_loa=LOA3,
    )
    application = actions.save_answers(
        actor=actor, application=application, answers=BYGGLOV_ANSWERS
    )
    for field in ("situationsplan", "planritning", "fasadritning"):
        actions.add_attachment(
            actor=actor, application=application, field_id=field, file_name="r.pdf", chunks=[PDF]
        )
    application.refresh_from_db()
    return application


def submit(application: Application):
    return actions.submit_application(
        actor=Actor.person(ANNA), application_id=application.pk, actor_loa=LOA3
    )


def completion_for(
    to_sign: ToSign, *, number: str = ANNA, text: str | None = None, unseen: bytes | None = None
) -> dict:
    signature, ocsp = evidence.complete(
        order_ref="o",
        visible=to_sign.text if text is None else text,
        non_visible=base64.b64encode(to_sign.unseen if unseen is None else unseen).decode(),
        number=number,
        name="Anna Andersson",
        device_ip="192.0.2.1",
    )
    return {
        "user": {"personalNumber": number, "name": "Anna Andersson"},
        "signature": signature,
        "ocspResponse": ocsp,
    }


def test_an_unsigned_application_is_not_submitted(services):
    application = draft(services)
    with pytest.raises(ValidationError) as refused:
        submit(application)
    assert refused.value.code == "signature_required"
    assert Application.objects.get(pk=application.pk).status == "draft"


def test_what_is_signed_is_the_pdf_and_a_text_naming_its_hash(services):
    application = draft(services)
    to_sign = actions.prepare_signing(actor=Actor.person(ANNA), application=application)
    application.refresh_from_db()
    document = signing.document_of(application)
    assert document.startswith(b"%PDF-")
    assert digest_of(document) == to_sign.digest
    assert to_sign.digest in to_sign.text and "Exempelby kommun" in to_sign.text
    # asked again, the same document: a signature already made still covers it
    assert actions.prepare_signing(actor=Actor.person(ANNA), application=application) == to_sign


@pytest.mark.parametrize(
    "forgery",
    [
        {"text": "Jag skriver under något helt annat."},  # other text than shown
        {"unseen": b"0" * 64},  # another document
        {"number": ERIK},  # someone else's BankID
    ],
)
def test_a_signature_over_anything_but_what_was_shown_is_not_kept(services, forgery):
    application = draft(services)
    to_sign = actions.prepare_signing(actor=Actor.person(ANNA), application=application)
    with pytest.raises(NotSigned):
        identity_actions.record_signature(
            purpose=signing.purpose_of(application),
            expected=to_sign,
            signer=ANNA,
            completion=completion_for(to_sign, **forgery),
            order_ref="o",
        )
    assert not Signature.objects.exists()


def test_a_signature_with_a_tampered_xml_is_not_kept(services):
    application = draft(services)
    to_sign = actions.prepare_signing(actor=Actor.person(ANNA), application=application)
    completion = completion_for(to_sign)
    xml = base64.b64decode(completion["signature"]).replace(b"192.0.2.1", b"192.0.2.9")
    completion["signature"] = base64.b64encode(xml).decode()
    with pytest.raises(NotSigned, match="does not verify"):
        identity_actions.record_signature(
            purpose=signing.purpose_of(application), expected=to_sign, signer=ANNA,
            completion=completion, order_ref="o",
        )  # fmt: skip


def test_a_change_after_signing_needs_a_new_signature(services):
    application = draft(services)
    sign_application(application, ANNA)
    application.refresh_from_db()
    actions.save_answers(
        actor=Actor.person(ANNA),
        application=application,
        answers={**BYGGLOV_ANSWERS, "beskrivning": "Ett större garage."},
    )
    application.refresh_from_db()
    assert application.signing_digest == "" and signing.signatures_of(application) == []
    with pytest.raises(ValidationError):
        submit(application)


def test_the_signatures_are_checked_again_by_a_command(services, capsys):
    case = submit_bygglov(services)
    reference = case.application.reference
    call_command("signatures", "verify", reference)
    out = capsys.readouterr().out
    assert "signed by Anna Andersson (199003152387) with bankid" in out and "valid" in out
    assert "the document and every signature hold" in out
    # the kept document changed behind our back: the command says so
    Application.objects.filter(pk=case.application.pk).update(signing_document=b"%PDF-1.7 other")
    with pytest.raises(CommandError, match="not the one signed"):
        call_command("signatures", "verify", reference)
    with pytest.raises(CommandError, match="no submitted application"):
        call_command("signatures", "verify", "XXXX-XXXX-XX")


def test_the_evidence_is_kept_with_the_application(services):
    case = submit_bygglov(services)
    [signature] = signing.signatures_of(case.application)
    assert signature.signer == ANNA and signature.digest == case.application.signing_digest
    completion = signature.evidence["completionData"]
    assert completion["signature"] and completion["ocspResponse"]
