"""Documents an organisation's own systems register on a case (the API)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digigov.cases.actions.case import (
    _lock,
    _register,
    _required_text,
)
from digigov.cases.models import (
    Case,
    Document,
)
from digigov.core import audit
from digigov.core.actors import Actor
from digigov.core.transactions import action


def add_document(
    *,
    actor: Actor,
    case: Case,
    direction: str,
    title: str,
    counterpart: str,
    text: str = "",
    secrecy_ground: str | None = None,
) -> Document:
    """Register a document that came or went another way (the API)."""
    if direction not in Document.Direction.values:
        raise ValidationError({"direction": [_("Ange in eller out.")]}, code="invalid")
    cleaned_title = _required_text(title, "title", _("Ange en rubrik."))
    return _add_document(actor, case, direction, cleaned_title, counterpart, text, secrecy_ground)


@action
def _add_document(
    actor: Actor,
    case: Case,
    direction: str,
    title: str,
    counterpart: str,
    text: str,
    secrecy_ground: str | None,
) -> Document:
    locked = _lock(case, None)
    document = _register(
        locked,
        kind=Document.Kind.DOCUMENT,
        direction=direction,
        counterpart=(counterpart or locked.applicant_name)[:300],
        title=title,
        text=text,
        secrecy_ground=secrecy_ground,
    )
    locked.revision += 1
    locked.save(update_fields=["revision"])
    audit.record(
        actor=actor,
        action="case.document_added",
        organisation=locked.organisation,
        object_type="case",
        object_id=locked.registrar_number,
        data={"document": document.sequence, "direction": direction},
    )
    return document
