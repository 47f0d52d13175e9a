"""Signing an application with e-ID: the document and text are fixed first, then each
signature is recorded by identity (identity.actions.record_signature) against them."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from digigov.cases import signing
from digigov.cases.actions.applications import _lock_draft, _spec
from digigov.cases.models import Application
from digigov.core import audit
from digigov.core.actors import Actor
from digigov.core.transactions import action
from digigov.identity.signing import ToSign, digest_of
from digigov.services import answers as answer_rules


def prepare_signing(*, actor: Actor, application: Application) -> ToSign:
    """Fix what is to be signed: the application, complete, as a PDF, and the text to read.
    The PDF is made before the transaction (it takes a moment); if the application changed
    meanwhile, the person is asked to look again."""
    if application.signing_digest:  # fixed already; any change since would have cleared it
        return ToSign(application.signing_text, application.signing_digest)
    checked = answer_rules.clean(_spec(application), application.answers, complete=True)
    if not checked.ok:
        raise ValidationError({key: [message] for key, message in checked.errors.items()})
    document = signing.document_pdf(application)
    return _fix(actor, application, application.revision, document)


@action
def _fix(actor: Actor, application: Application, revision: int, document: bytes) -> ToSign:
    locked = _lock_draft(application, revision)
    digest = digest_of(document)
    if locked.signing_digest:  # another tab fixed it first: that one stands
        return ToSign(locked.signing_text, locked.signing_digest)
    locked.signing_document = document
    locked.signing_digest = digest
    locked.signing_text = signing.text_for(locked, digest)
    locked.save(update_fields=["signing_document", "signing_digest", "signing_text"])
    audit.record(
        actor=actor,
        action="application.signing_prepared",
        organisation=locked.organisation,
        object_type="application",
        object_id=locked.public_id,
        data={"sha256": digest},
    )
    return ToSign(locked.signing_text, digest)
