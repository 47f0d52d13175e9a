"""The resident's path: find a service, fill it in over as many sittings as needed, submit.

Thin: answers are interpreted by services.answers and stored by cases.actions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.cases import actions as case_actions
from digigov.cases import queries as case_queries
from digigov.cases import receipts, signing, storage
from digigov.cases.models import Application
from digigov.core import queries as core_queries
from digigov.core.identifiers import parse_organisation_number
from digigov.registers.client import RegisterUnavailable, registers
from digigov.services import answers as answer_rules
from digigov.services import catalogue, presentation
from digigov.services import queries as service_queries
from digigov.services.fields import Group, kind_of
from digigov.services.spec import ServicePackageSpec, Step
from digigov.web import applying
from digigov.web.views import resident, resident_loa, resident_required

PAGE_SIZE = 20


def _messages_of(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


# -- finding and starting ---------------------------------------------------


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    try:
        page = max(1, min(int(request.GET.get("sida", "1")), 1000))
    except ValueError:
        page = 1
    found = service_queries.search(query, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    context = {
        "query": query,
        "results": found.services,
        "total": found.total,
        "page": page,
        "next_page": page + 1 if page * PAGE_SIZE < found.total else None,
        "previous_page": page - 1 if page > 1 else None,
    }
    return render(request, "web/services/search.html", context)


def _current(slug: str, code: str) -> tuple[Any, ServicePackageSpec]:
    organisation = core_queries.organisation_by_slug(slug)
    service = service_queries.current_service(organisation, code) if organisation else None
    if service is None:
        raise Http404
    return service, catalogue.spec_of(service)


def _service_page(
    request: HttpRequest, slug: str, code: str, error: str = "", status: int = 200
) -> HttpResponse:
    service, spec = _current(slug, code)
    companies = []
    if request.resident and "company" in spec.applicant.kinds:  # type: ignore[attr-defined]
        try:
            me = resident(request).identifier
            companies = [
                company
                # together with others only where the application is signed (the others'
                # names are asked for only then)
                for company in registers(service.organisation, user=me).companies_signed_by(
                    me, purpose=f"Val av sökande {spec.code}", jointly=spec.signing.required
                )
                if signing.may_file_for(spec, company, me)
            ]
        except RegisterUnavailable:
            error = error or _(
                "Näringslivsregistret kan inte nås just nu. Försök igen om en stund."
            )
    context = {"service": service, "spec": spec, "companies": companies, "error": error}
    return render(request, "web/services/service.html", context, status=status)


@require_safe
def service(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    return _service_page(request, slug, code)


@require_POST
@resident_required
def start(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    service, spec = _current(slug, code)
    actor = resident(request)
    kind = request.POST.get("applicant_kind", "person")
    applicant = actor.identifier
    if kind == "company":
        try:
            applicant = parse_organisation_number(request.POST.get("organisation_number", "")).value
        except ValidationError as error:
            return _service_page(request, slug, code, _messages_of(error), 400)
    try:
        application = case_actions.start_application(
            actor=actor,
            service_version=service,
            applicant_kind=kind,
            applicant_identifier=applicant,
            actor_loa=resident_loa(request),
        )
    except ValidationError as error:
        return _service_page(request, slug, code, _messages_of(error), 400)
    return redirect("web:application-step", application.public_id, spec.steps[0].id)


# -- filling in -------------------------------------------------------------


def _step(spec: ServicePackageSpec, step_id: str) -> tuple[int, Step]:
    for index, step in enumerate(spec.steps):
        if step.id == step_id:
            return index, step
    raise Http404


def _render_step(
    request: HttpRequest,
    application: Application,
    spec: ServicePackageSpec,
    index: int,
    step: Step,
    errors: dict[str, str],
    answers: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    attachments = list(case_queries.attachments_of(application))
    shown = answers if answers is not None else application.answers
    fields = applying.step_fields(spec, step, shown, errors, attachments, application.prefilled)
    context = {
        "application": application,
        "spec": spec,
        "step": step,
        "index": index,
        "steps": spec.steps,
        "previous": spec.steps[index - 1] if index > 0 else None,
        "fields": fields,
        "errors": errors,
        "error_links": _error_links(fields, errors),
        "prefill_notes": applying.prefill_notes(application.prefilled, step),
        "old_version": not application.service_version.is_current,
    }
    return render(request, "web/services/step.html", context, status=status)


def _error_links(fields: list[applying.FieldView], errors: dict[str, str]) -> list[dict[str, str]]:
    """The error summary: a form-wide message first, then one link per field in error."""
    links = []
    if "__all__" in errors:
        links.append({"href": "", "label": "", "message": str(errors["__all__"])})
    for view in fields:
        for path, message in errors.items():
            if path == view.spec.id or path.startswith(f"{view.spec.id}."):
                anchor = "id_" + path.replace(".", "-")
                links.append(
                    {
                        "href": f"#{anchor}",
                        "label": presentation.localised(view.spec.label),
                        "message": str(message),
                    }
                )
    return links


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
def step(request: HttpRequest, public_id: str, step_id: str) -> HttpResponse:
    actor = resident(request)
    application = case_queries.draft_for(actor.identifier, public_id, loa=resident_loa(request))
    if application is None:
        submitted = case_queries.application_for(
            actor.identifier, public_id, loa=resident_loa(request)
        )
        if submitted is not None and submitted.status == Application.Status.SUBMITTED:
            messages.info(request, _("Ansökan är redan inskickad."))
            return redirect("web:application-receipt", submitted.public_id)
        raise Http404
    spec = catalogue.spec_of(application.service_version)
    index, current = _step(spec, step_id)
    if request.method != "POST":
        return _render_step(request, application, spec, index, current, {})

    posted = applying.read_step(current, request.POST)
    action = request.POST.get("action", "continue")
    posted = _apply_group_action(current, posted, action)
    errors: dict[str, str] = {}
    try:
        application = case_actions.save_answers(
            actor=actor,
            application=application,
            answers=posted,
            revision=_int(request.POST.get("revision")),
        )
    except ValidationError as error:
        errors["__all__"] = _messages_of(error)
        return _render_step(
            request,
            application,
            spec,
            index,
            current,
            errors,
            {**application.answers, **posted},
            409 if error.code == "stale" else 400,
        )
    for field_id, upload in applying.uploads(current, request.FILES):
        try:
            case_actions.add_attachment(
                actor=actor, application=application, field_id=field_id,
                file_name=upload.name or "bilaga", chunks=upload.chunks(),
            )  # fmt: skip
        except ValidationError as error:
            errors[field_id] = _messages_of(error)
        application.refresh_from_db()
    removed = request.POST.get("remove")
    if removed:
        attachment = case_queries.attachment_for(
            actor.identifier, removed, loa=resident_loa(request)
        )
        if attachment is not None and attachment.application_id == application.pk:
            case_actions.remove_attachment(actor=actor, attachment=attachment)
            application.refresh_from_db()
    if errors:
        return _render_step(request, application, spec, index, current, errors, status=400)
    if action == "save":
        messages.success(request, _("Ansökan är sparad. Du hittar den under Mina sidor."))
        return redirect("web:my-pages")
    if action != "continue":
        return redirect("web:application-step", application.public_id, current.id)
    checked = answer_rules.clean_step(spec, current, application.answers)
    if not checked.ok:
        return _render_step(
            request, application, spec, index, current,
            {key: str(message) for key, message in checked.errors.items()}, status=400,
        )  # fmt: skip
    if index + 1 < len(spec.steps):
        return redirect("web:application-step", application.public_id, spec.steps[index + 1].id)
    return redirect("web:application-review", application.public_id)


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _apply_group_action(current: Step, posted: dict[str, Any], action: str) -> dict[str, Any]:
    """'add:<group>' adds an empty row, 'drop:<group>:<n>' removes row n."""
    verb, _sep, rest = action.partition(":")
    group, _sep, position = rest.partition(":")
    if group not in {f.id for f in current.fields if isinstance(kind_of(f), Group)}:
        return posted
    items = list(posted.get(group) or [])
    if verb == "add":
        items.append({})
    elif verb == "drop" and position.isdigit() and int(position) < len(items):
        items.pop(int(position))
    return {**posted, group: items}


# -- checking and submitting ------------------------------------------------


def _review_page(
    request: HttpRequest, application: Application, errors: dict[str, Any], status: int = 200
) -> HttpResponse:
    spec = catalogue.spec_of(application.service_version)
    attachments = list(case_queries.attachments_of(application))
    file_names = {str(a.public_id): a.file_name for a in attachments}
    step_of = {field.id: step.id for step in spec.steps for field in step.fields}
    problems = [
        {
            "step": step_of.get(path.split(".")[0], spec.steps[0].id),
            "label": presentation.localised(spec.field(path.split(".")[0]).label)  # type: ignore[union-attr]
            if spec.field(path.split(".")[0])
            else "",
            "message": " ".join(
                str(m) for m in (message if isinstance(message, list) else [message])
            ),
        }
        for path, message in errors.items()
    ]
    context = {
        "application": application,
        "spec": spec,
        "steps": presentation.summary(spec, application.answers, file_names),
        "problems": problems,
        # signed by all who must, as it is now: it is submitted, not signed again
        "signed": spec.signing.required
        and not signing.missing(application, signing.signers_asked(application)),
    }
    return render(request, "web/services/review.html", context, status=status)


@require_safe
@resident_required
def continue_draft(request: HttpRequest, public_id: str) -> HttpResponse:
    """Back to a saved draft: the first step with something left to answer, or the
    check-your-answers page when nothing is."""
    application = case_queries.draft_for(
        resident(request).identifier, public_id, loa=resident_loa(request)
    )
    if application is None:  # submitted (its receipt) or not theirs (404): as review says
        return redirect("web:application-review", public_id)
    spec = catalogue.spec_of(application.service_version)
    unfinished = answer_rules.first_unfinished_step(spec, application.answers)
    if unfinished is None:
        return redirect("web:application-review", application.public_id)
    return redirect("web:application-step", application.public_id, unfinished.id)


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
def review(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = resident(request)
    application = case_queries.draft_for(actor.identifier, public_id, loa=resident_loa(request))
    if application is None:
        submitted = case_queries.application_for(
            actor.identifier, public_id, loa=resident_loa(request)
        )
        if submitted is not None and submitted.status == Application.Status.SUBMITTED:
            return redirect("web:application-receipt", submitted.public_id)
        raise Http404
    spec = catalogue.spec_of(application.service_version)
    if request.method != "POST":
        checked = answer_rules.clean(spec, application.answers, complete=True)
        return _review_page(request, application, {} if checked.ok else dict(checked.errors))
    try:
        if spec.signing.required:
            # first the signatures: the application is fixed as a PDF, and who signs it is
            # the company register's answer now; then it is signed
            case_actions.prepare_signing(actor=actor, application=application)
            application.refresh_from_db(fields=["signing_digest", "signatures_required"])
            if signing.missing(application, signing.signers_asked(application)):
                return redirect("web:application-sign", application.public_id)
        case_actions.submit_application(
            actor=actor,
            application_id=application.pk,
            actor_loa=resident_loa(request),
        )
    except ValidationError as error:
        details = (
            error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        )
        return _review_page(request, application, details, status=400)
    return redirect("web:application-receipt", application.public_id)


# -- after submitting -------------------------------------------------------


def _submitted(request: HttpRequest, public_id: str) -> tuple[Application, Any]:
    application = case_queries.application_for(
        resident(request).identifier, public_id, loa=resident_loa(request)
    )
    if application is None or application.status != Application.Status.SUBMITTED:
        raise Http404
    case = case_queries.case_of(application)
    if case is None:
        raise Http404
    return application, case


@require_safe
@resident_required
def receipt(request: HttpRequest, public_id: str) -> HttpResponse:
    application, case = _submitted(request, public_id)
    spec = catalogue.spec_of(application.service_version)
    return render(
        request,
        "web/services/receipt.html",
        {
            "application": application,
            "case": case,
            "spec": spec,
            "signatures": signing.signatures_of(application),
        },
    )


@require_safe
@resident_required
def receipt_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    application, case = _submitted(request, public_id)
    pdf = receipts.receipt_pdf(application, case, language=request.LANGUAGE_CODE)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kvitto-{application.reference}.pdf"'
    return response


@require_safe
@resident_required
def attachment(request: HttpRequest, public_id: str) -> FileResponse:
    found = case_queries.attachment_for(
        resident(request).identifier, public_id, loa=resident_loa(request)
    )
    if found is None:
        raise Http404
    return FileResponse(
        storage.open_stored(found.storage_name).open("rb"),
        as_attachment=True,
        filename=found.file_name,
        content_type=found.content_type,
    )
