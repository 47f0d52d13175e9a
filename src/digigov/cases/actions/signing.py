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
    and who signs it. The company register is asked each time (who must sign is its answer
    now, which pages then show); the PDF is made once. Both happen before the transaction
    (they take a moment); if the application changed meanwhile, the person is asked to look
    again."""
    spec = _spec(application)
    company = None
    if application.applicant_kind == ApplicantKind.COMPANY:
        company = company_represented(
            spec, actor, application.applicant_identifier, application.organisation
        )
    signers = signing.signers_for(application, company)
    if application.signing_digest:  # fixed already; any change since would have cleared it
        _ask_again(actor, application, signers)
        return ToSign(application.signing_text, application.signing_digest)
    checked = answer_rules.clean(spec, application.answers, complete=True)
    if not checked.ok:
        raise ValidationError({key: [message] for key, message in checked.errors.items()})
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
    locked.save(update_fields=["signing_document", "signing_digest", "signing_text"])
    _store_signers(actor, locked, signers, "application.signing_prepared", {"sha256": digest})
    return ToSign(locked.signing_text, digest)


@action
def _ask_again(actor: Actor, application: Application, signers: signing.Signers) -> None:
    """Who must sign, as the register says now, if that is not whom the portal asks."""
    locked = _lock_draft(application)
    asked = signing.signers_asked(locked)
    if (asked.required, set(asked.eligible)) != (signers.required, set(signers.eligible)):
        _store_signers(actor, locked, signers, "application.signers_changed", {})


def _store_signers(
    actor: Actor,
    locked: Application,
    signers: signing.Signers,
    what: str,
    data: dict[str, object],
) -> None:
    """Keep how many must sign and whom the portal asks (the others than the filler)."""
    others = {n: name for n, name in signers.eligible.items() if n != locked.submitted_by}
    locked.signatures_required = signers.required
    locked.save(update_fields=["signatures_required"])
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
        action=what,
        organisation=locked.organisation,
        on_behalf_of=locked.applicant_identifier
        if locked.applicant_identifier != actor.identifier
        else "",
        object_type="application",
        object_id=locked.public_id,
        data={
            **data,
            "signatures_required": signers.required,
            **({"cosigners": sorted(others)} if others else {}),
        },
    )
