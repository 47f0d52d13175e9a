"""What the applicant does with an open case: answer the open request."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digigov.cases import storage
from digigov.cases.actions.applications import _safe_file_name, checked_file
from digigov.cases.actions.case import (
    ANSWER_FILE_MAX_MB,
    ANSWER_FILE_TYPES,
    ANSWER_MAX_FILES,
    APPLICANT,
    Refused,
    _answer_kind,
    _answer_title,
    _event,
    _lock,
    _move,
    _register,
    _save,
    _spec,
)
from digigov.cases.models import (
    Attachment,
    Case,
    CaseRequest,
    Document,
)
from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.transactions import action
from digigov.identity import loa as levels
from digigov.services import catalogue


def answer_request(
    *,
    actor: Actor,
    case: Case,
    text: str,
    files: Sequence[tuple[str, Iterable[bytes]]],
    actor_loa: str,
) -> Case:
    """The applicant answers the open request in the portal, with text and files: at the
    service's level of assurance (identity.loa.StepUp)."""
    levels.require(actor_loa, catalogue.spec_of(case.service_version).loa)
    if not (text or "").strip() and not files:
        raise ValidationError({"text": [_("Skriv ett svar eller bifoga en fil.")]}, code="required")
    if len(files) > ANSWER_MAX_FILES:
        raise ValidationError(
            {
                "attachments": [
                    ValidationError(
                        _("Du kan bifoga högst %(count)s filer."),
                        params={"count": ANSWER_MAX_FILES},
                    )
                ]
            },
            code="file_count",
        )
    stored: list[tuple[str, str, storage.Stored]] = []
    try:
        for name, chunks in files:
            content_type, kept = checked_file(
                chunks,
                accept=ANSWER_FILE_TYPES,
                max_size_mb=ANSWER_FILE_MAX_MB,
                organisation_id=case.organisation_id,
            )
            stored.append((name, content_type, kept))
        return _record_answer(actor, case, (text or "").strip(), stored)
    except BaseException:
        for _name, _type, kept in stored:
            storage.remove(kept.storage_name)
        raise


@action
def _record_answer(
    actor: Actor, case: Case, text: str, files: list[tuple[str, str, storage.Stored]]
) -> Case:
    locked = _lock(case, None)
    spec = _spec(locked)
    if locked.finished:
        raise Refused(
            _("Ärendet är avgjort, så svaret kan inte längre tas emot här. Kontakta oss."),
            "finished",
        )
    request = CaseRequest.objects.filter(case=locked, answered_at__isnull=True).first()
    transition = next(
        (
            t
            for t in spec.process.transitions
            if t.does == "answer" and locked.state in t.source and APPLICANT in t.by
        ),
        None,
    )
    if request is None or transition is None:
        raise Refused(_("Det finns ingen begäran att svara på i ärendet."), "no_request")
    now = clock.now()
    document = _register(
        locked,
        kind=_answer_kind(request),
        direction=Document.Direction.INCOMING,
        counterpart=locked.applicant_name,
        title=_answer_title(request),
        text=text,
    )
    for name, content_type, kept in files:
        attachment = Attachment.objects.create(
            organisation_id=locked.organisation_id,
            application_id=locked.application_id,
            field_id=f"svar_{request.pk}",
            file_name=_safe_file_name(name, content_type),
            content_type=content_type,
            size=kept.size,
            sha256=kept.sha256,
            storage_name=kept.storage_name,
            uploaded_at=now,
        )
        _register(
            locked,
            kind=Document.Kind.ATTACHMENT,
            direction=Document.Direction.INCOMING,
            counterpart=locked.applicant_name,
            title=f"{_answer_title(request)}: {attachment.file_name}",
            attachment=attachment,
        )
    request.answered_at = now
    request.answer = document
    request.save(update_fields=["answered_at", "answer"])
    _move(locked, spec, transition.target)
    _event(
        locked,
        spec,
        actor,
        "KOMPLETTERING_INKOMMEN"
        if request.kind == CaseRequest.Kind.COMPLETION
        else "YTTRANDE_INKOMMET",
        {"transition": transition.id, "document": document.sequence, "files": len(files)},
    )
    _save(locked, "state", "resident_must_act", "finished")
    audit.record(
        actor=actor,
        action="case.answered",
        organisation=locked.organisation,
        on_behalf_of=locked.applicant_identifier
        if locked.applicant_identifier != actor.identifier
        else "",
        object_type="case",
        object_id=locked.registrar_number,
        data={"request": request.pk, "files": len(files)},
    )
    return locked
