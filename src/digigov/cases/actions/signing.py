"""Signing an application with e-ID: the document and text are fixed first, with who is
to sign (for a company whose signatories sign together, the others are asked through the
portal); then each signature is recorded by identity (identity.actions.record_signature)
against them."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from digigov.cases import signing
from digigov.cases.actions.applications import _lock_draft, _spec, company_represented
from digigov.cases.models import ApplicantKind, Application, CoSigner
from digigov.core import audit
from digigov.core.actors import Actor
from digigov.core.transactions import action
from digigov.identity.signing import ToSign, digest_of
from digigov.services import answers as answer_rules


def prepare_signing(*, actor: Actor, application: Application) -> ToSign:
    """Fix what is to be signed: the application, complete, as a PDF, and the text to read,
    and who signs it. The PDF is made and the company register asked before the transaction
    (they take a moment); if the application changed meanwhile, the person is asked to look
    again."""
    if application.signing_digest:  # fixed already; any change since would have cleared it
        return ToSign(application.signing_text, application.signing_digest)
    spec = _spec(application)
    checked = answer_rules.clean(spec, application.answers, complete=True)
    if not checked.ok:
        raise ValidationError({key: [message] for key, message in checked.errors.items()})
    company = None
    if application.applicant_kind == ApplicantKind.COMPANY:
        company = company_represented(
            spec, actor, application.applicant_identifier, application.organisation
        )
    signers = signing.signers_for(application, company)
    document = signing.document_pdf(application)
    return _fix(actor, application, application.revision, document, signers)


@action
def _fix(
    actor: Actor,
    application: Application,
    revision: int,
    document: bytes,
    signers: signing.Signers,
) -> ToSign:
    locked = _lock_draft(application, revision)
    digest = digest_of(document)
    if locked.signing_digest:  # another tab fixed it first: that one stands
        return ToSign(locked.signing_text, locked.signing_digest)
    locked.signing_document = document
    locked.signing_digest = digest
    locked.signing_text = signing.text_for(locked, digest)
    locked.signatures_required = signers.required
    locked.save(
        update_fields=["signing_document", "signing_digest", "signing_text", "signatures_required"]
    )
    others = {n: name for n, name in signers.eligible.items() if n != locked.submitted_by}
    CoSigner.objects.filter(application=locked).delete()
    CoSigner.objects.bulk_create(
        CoSigner(
            organisation=locked.organisation,
            application=locked,
            personal_identity_number=number,
            name=name,
        )
        for number, name in sorted(others.items())
    )
    audit.record(
        actor=actor,
        action="application.signing_prepared",
        organisation=locked.organisation,
        on_behalf_of=locked.applicant_identifier
        if locked.applicant_identifier != actor.identifier
        else "",
        object_type="application",
        object_id=locked.public_id,
        data={
            "sha256": digest,
            "signatures_required": signers.required,
            **({"cosigners": sorted(others)} if others else {}),
        },
    )
    return ToSign(locked.signing_text, digest)
