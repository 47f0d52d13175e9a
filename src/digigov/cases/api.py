"""API of cases for a resident's own applications: the same rules as the pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from digigov.cases import actions, queries, receipts
from digigov.cases.models import Application, Attachment, Case
from digigov.core.actors import Actor
from digigov.core.identifiers import parse_organisation_number
from digigov.core.problems import Problem, documented, field_errors, messages_of
from digigov.identity.api import ResidentSessionAuth
from digigov.identity.session import ResidentSession
from digigov.services.api import current

router = Router(tags=["applications"], auth=ResidentSessionAuth())

# Which refusals are conflicts, which are about who you are, which are input.
STATUS_BY_CODE = {
    "stale": 409,
    "not_draft": 409,
    "old_version": 409,
    "not_representative": 403,
    "scan_failed": 503,
    "register_unavailable": 503,
}


class AttachmentOut(Schema):
    id: uuid.UUID
    field: str
    file_name: str
    content_type: str
    size: int
    sha256: str

    @staticmethod
    def of(attachment: Attachment) -> AttachmentOut:
        return AttachmentOut(
            id=attachment.public_id,
            field=attachment.field_id,
            file_name=attachment.file_name,
            content_type=attachment.content_type,
            size=attachment.size,
            sha256=attachment.sha256,
        )


class ApplicationOut(Schema):
    id: uuid.UUID
    organisation: str
    service: str
    version: str
    applicant_kind: Literal["person", "company"]
    applicant: str
    status: Literal["draft", "submitted"]
    revision: int
    answers: dict[str, Any]
    attachments: list[AttachmentOut]
    reference: str | None = None
    registrar_number: str | None = None
    submitted_at: dt.datetime | None = None

    @staticmethod
    def of(application: Application, case: Case | None = None) -> ApplicationOut:
        if case is None and application.status == Application.Status.SUBMITTED:
            case = queries.case_of(application)
        return ApplicationOut(
            id=application.public_id,
            organisation=application.organisation.slug,
            service=application.service_version.code,
            version=application.service_version.version,
            applicant_kind=application.applicant_kind,  # type: ignore[arg-type]
            applicant=application.applicant_identifier,
            status=application.status,  # type: ignore[arg-type]
            revision=application.revision,
            answers=application.answers,
            attachments=[AttachmentOut.of(a) for a in queries.attachments_of(application)],
            reference=application.reference,
            registrar_number=case.registrar_number if case else None,
            submitted_at=application.submitted_at,
        )


class ApplicationIn(Schema):
    organisation: str
    service: str
    applicant_kind: Literal["person", "company"] = "person"
    organisationsnummer: str | None = None


class AnswersIn(Schema):
    answers: dict[str, Any]
    revision: int | None = None


def _actor(request: HttpRequest) -> tuple[Actor, ResidentSession]:
    session: ResidentSession = request.auth  # type: ignore[attr-defined]
    return Actor.person(session.personal_identity_number, session.display_name), session


def _refused(error: ValidationError) -> Problem:
    if hasattr(error, "error_dict"):
        return Problem(
            422,
            "invalid-answers",
            "Some answers are missing or invalid / Några svar saknas eller är felaktiga",
            errors=field_errors(error, lambda key: "/answers/" + key.replace(".", "/")),
        )
    code = getattr(error, "code", None) or "invalid"
    return Problem(STATUS_BY_CODE.get(code, 422), code.replace("_", "-"), messages_of(error))


def _own_application(request: HttpRequest, application_id: uuid.UUID) -> Application:
    actor, session = _actor(request)
    found = queries.application_for(actor.identifier, application_id, loa=session.loa)
    if found is None:
        raise Problem(404, "unknown-application", "No such application / Ansökan finns inte")
    return found


def _own_draft(request: HttpRequest, application_id: uuid.UUID) -> Application:
    """The person's own draft: another's is 404, a submitted one 409."""
    application = _own_application(request, application_id)
    actor, _session = _actor(request)
    if application.submitted_by != actor.identifier:
        raise Problem(404, "unknown-application", "No such application / Ansökan finns inte")
    if application.status != Application.Status.DRAFT:
        raise Problem(
            409, "not-draft", "The application is already submitted / Ansökan är redan inskickad"
        )
    return application


@router.post(
    "/applications",
    response=documented(201, ApplicationOut, 400, 401, 403, 404, 409, 422),
    operation_id="createApplication",
)
def create_application(request: HttpRequest, body: ApplicationIn) -> Status[ApplicationOut]:
    """Start a draft, prefilled from the base registers."""
    actor, session = _actor(request)
    service = current(body.organisation, body.service)
    applicant = actor.identifier
    try:
        if body.applicant_kind == "company":
            applicant = parse_organisation_number(body.organisationsnummer or "").value
        application = actions.start_application(
            actor=actor,
            service_version=service,
            applicant_kind=body.applicant_kind,
            applicant_identifier=applicant,
            actor_loa=session.loa,
        )
    except ValidationError as error:
        raise _refused(error) from error
    return Status(201, ApplicationOut.of(application))


@router.get(
    "/applications",
    response=documented(200, list[ApplicationOut], 401),
    operation_id="listApplications",
)
def list_applications(request: HttpRequest) -> list[ApplicationOut]:
    actor, session = _actor(request)
    listed = queries.applications_of(actor.identifier).filter(queries.within(session.loa))
    return [ApplicationOut.of(a) for a in listed[:100]]


@router.get(
    "/applications/{application_id}",
    response=documented(200, ApplicationOut, 401, 403, 404, 422),
    operation_id="getApplication",
)
def get_application(request: HttpRequest, application_id: uuid.UUID) -> ApplicationOut:
    return ApplicationOut.of(_own_application(request, application_id))


@router.patch(
    "/applications/{application_id}",
    response=documented(200, ApplicationOut, 400, 401, 403, 404, 409, 422),
    operation_id="updateApplication",
)
def update_application(
    request: HttpRequest, application_id: uuid.UUID, body: AnswersIn
) -> ApplicationOut:
    """Save answers (merged into the draft). Send the revision you read to refuse stale saves."""
    actor, _session = _actor(request)
    draft = _own_draft(request, application_id)
    try:
        saved = actions.save_answers(
            actor=actor, application=draft, answers=body.answers, revision=body.revision
        )
    except ValidationError as error:
        raise _refused(error) from error
    return ApplicationOut.of(saved)


@router.post(
    "/applications/{application_id}/attachments/{field}",
    response=documented(201, AttachmentOut, 400, 401, 403, 404, 409, 413, 422, 503),
    operation_id="addAttachment",
)
def add_attachment(
    request: HttpRequest, application_id: uuid.UUID, field: str, file: File[UploadedFile]
) -> Status[AttachmentOut]:
    actor, _session = _actor(request)
    draft = _own_draft(request, application_id)
    try:
        attachment = actions.add_attachment(
            actor=actor,
            application=draft,
            field_id=field,
            file_name=file.name or "bilaga",
            chunks=file.chunks(),
        )
    except ValidationError as error:
        raise _refused(error) from error
    return Status(201, AttachmentOut.of(attachment))


@router.post(
    "/applications/{application_id}/submit",
    response=documented(200, ApplicationOut, 401, 403, 404, 409, 422),
    operation_id="submitApplication",
)
def submit_application(request: HttpRequest, application_id: uuid.UUID) -> ApplicationOut:
    """Submit with the same checks as the pages. Submitting again returns the same result."""
    actor, session = _actor(request)
    found = queries.submitted_by_id(actor.identifier, application_id)
    if found is None:
        raise Problem(404, "unknown-application", "No such application / Ansökan finns inte")
    try:
        case = actions.submit_application(actor=actor, application_id=found, actor_loa=session.loa)
    except ValidationError as error:
        raise _refused(error) from error
    return ApplicationOut.of(case.application, case=case)


@router.get(
    "/applications/{application_id}/receipt.pdf",
    response=documented(200, bytes, 401, 403, 404, 422),
    operation_id="getReceipt",
)
def get_receipt(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """The PDF/A receipt of a submitted application."""
    application = _own_application(request, application_id)
    case = queries.case_of(application)
    if case is None:
        raise Problem(
            404, "not-submitted", "The application is not submitted / Ansökan är inte inskickad"
        )
    response = HttpResponse(receipts.receipt_pdf(application, case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kvitto-{application.reference}.pdf"'
    return response
