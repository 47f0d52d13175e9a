"""Case pages: the staff queue and case page, the applicant's case page, the public diary.

Thin: reads come from cases.queries (scoped to the organisation and person
asking), changes go through cases.actions.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from digigov.cases import actions as case_actions
from digigov.cases import clocks, disclosure, events, signing, storage
from digigov.cases import queries as case_queries
from digigov.cases.disclosure import Reader
from digigov.cases.models import Case, Document
from digigov.core import clock
from digigov.core import queries as core_queries
from digigov.identity import queries as identity_queries
from digigov.identity.bankid import messages as bankid_messages
from digigov.identity.models import StaffMembership
from digigov.messages import queries as message_queries
from digigov.services import catalogue, presentation
from digigov.services import queries as service_queries
from digigov.services.spec import ServicePackageSpec
from digigov.web.case_forms import AnswerForm, AssignForm, ExtendForm, QueueForm, StepForm
from digigov.web.views import resident, resident_loa, resident_required

ACCESS_PURPOSE = "Handläggning"


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("sida", "1")), 10000))
    except ValueError:
        return 1


def _workers(organisation_id: int) -> list[tuple[str, str]]:
    found = identity_queries.staff_with_role(organisation_id, StaffMembership.Role.CASE_WORKER)
    return [
        (str(user.pk), getattr(user, "get_full_name", str)() or user.get_username())
        for user in found
    ]


def _label(text: Any, language: str) -> str:
    return str(text.en if language == "en" else text.sv)


# -- the queue --------------------------------------------------------------------


@require_safe
@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    memberships = list(identity_queries.memberships(request.user))  # type: ignore[arg-type]
    organisations = {
        m.organisation.slug: m.organisation
        for m in memberships
        if m.role in case_queries.CASE_ROLES
    }
    context: dict[str, Any] = {"memberships": memberships, "organisations": organisations}
    if not organisations:  # no role that handles cases: the page lists the roles
        return render(request, "web/workspace.html", context)
    chosen = organisations.get(request.GET.get("organisation", "")) or next(
        iter(organisations.values())
    )
    language = request.LANGUAGE_CODE
    installed = service_queries.current_services(chosen).defer("spec", "search_text")
    specs = [catalogue.spec_of(version) for version in installed]
    states: dict[str, str] = {}
    for spec in specs:
        for state in spec.process.states:
            states.setdefault(state.id, _label(state.label, language))
    form = QueueForm(
        request.GET,
        services=[(spec.code, _label(spec.name, language)) for spec in specs],
        states=sorted(states.items(), key=lambda item: item[1]),
        workers=_workers(chosen.pk),
    )
    filters = case_queries.QueueFilter()
    if form.is_valid():
        filters = case_queries.QueueFilter(**form.cleaned_data)
    page = _page_number(request)
    cases, more = case_queries.queue(
        case_queries.reader_for_staff(request.user),  # type: ignore[arg-type]
        chosen.pk,
        filters,
        user_id=request.user.pk,
        page=page,
    )
    today = clock.today()
    rows = [
        {
            "case": case,
            "state": states.get(case.state, case.state),
            "days_left": (case.deadline - today).days if case.deadline else None,
            "days_late": (today - case.deadline).days if case.deadline else None,
            "warning": None
            if case.finished
            else clocks.warning(case.deadline, paused=case.clock_paused, today=today),
        }
        for case in cases
    ]
    query = {k: v for k, v in request.GET.items() if k != "sida"}
    context.update(
        organisation=chosen,
        form=form,
        rows=rows,
        page=page,
        previous_url=f"?{urlencode({**query, 'sida': page - 1})}" if page > 1 else "",
        next_url=f"?{urlencode({**query, 'sida': page + 1})}" if more else "",
    )
    return render(request, "web/workspace.html", context)


# -- the case page --------------------------------------------------------------------


def _staff_case(request: HttpRequest, public_id: str) -> tuple[Case, case_actions.Staff]:
    case = case_queries.case_for_staff(request.user, public_id)  # type: ignore[arg-type]
    if case is None:
        raise Http404
    return case, case_actions.staff_in(request.user, case.organisation_id)  # type: ignore[arg-type]


def _step_forms(
    request: HttpRequest,
    case: Case,
    spec: ServicePackageSpec,
    staff: case_actions.Staff,
    bound: tuple[str, StepForm] | None = None,
) -> list[dict[str, Any]]:
    language = request.LANGUAGE_CODE
    found = []
    for transition in case_actions.allowed_transitions(case, staff.roles):
        if bound and bound[0] == transition.id:
            form = bound[1]
        else:
            form = StepForm(
                prefix=transition.id,
                initial={"revision": case.revision},
                does=transition.does,
                outcomes=spec.process.decisions.outcomes,
                language=language,
            )
        found.append(
            {"transition": transition, "label": _label(transition.label, language), "form": form}
        )
    return found


def _render_case(
    request: HttpRequest,
    case: Case,
    staff: case_actions.Staff,
    *,
    status: int = 200,
    step: tuple[str, StepForm] | None = None,
    assign_form: AssignForm | None = None,
    extend_form: ExtendForm | None = None,
    refused: str = "",
) -> HttpResponse:
    spec = catalogue.spec_of(case.service_version)
    documents = list(case_queries.documents_of(case))
    file_names = {
        str(d.attachment.public_id): d.attachment.file_name for d in documents if d.attachment
    }
    workers = _workers(case.organisation_id)
    language = request.LANGUAGE_CODE
    state = next(s for s in spec.process.states if s.id == case.state)
    timing = case_actions.clock_of(case)
    context = {
        "case": case,
        "spec": spec,
        "service_name": _label(spec.name, language),
        "state_label": _label(state.label, language),
        "timing": timing,
        "days_left": timing.days_left(clock.today()),
        "warning": timing.warning(clock.today()),
        "steps": presentation.summary(spec, case.application.answers, file_names),
        "documents": disclosure.shown_all(documents, Reader.STAFF),
        "events": [
            {"title": events.title(e), "occurred_at": e.occurred_at, "actor": events.by_whom(e)}
            for e in case_queries.events_of(case)
        ],
        "open_request": case_queries.open_request(case),
        "decision": case_queries.decision_of(case),
        "told": message_queries.of_case(case.organisation_id, case.public_id),
        "step_forms": _step_forms(request, case, spec, staff, step),
        "assign_form": assign_form
        or AssignForm(
            initial={"revision": case.revision, "assigned_to": case.assigned_to_id or ""},
            workers=workers,
        ),
        "can_extend": case_actions.extension_refusal(staff, case) is None,
        "extend_form": extend_form or ExtendForm(initial={"revision": case.revision}),
        "refused": refused,
        "roles": staff.roles,
    }
    return render(request, "web/cases/staff_case.html", context, status=status)


@require_safe
@login_required
def staff_case(request: HttpRequest, public_id: str) -> HttpResponse:
    case, staff = _staff_case(request, public_id)
    case_actions.record_access(staff=staff, case=case, purpose=ACCESS_PURPOSE)
    return _render_case(request, case, staff)


def _apply_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _done(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("web:staff-case", case.public_id)


@require_POST
@login_required
def staff_step(request: HttpRequest, public_id: str, transition_id: str) -> HttpResponse:
    case, staff = _staff_case(request, public_id)
    spec = catalogue.spec_of(case.service_version)
    transition = next((t for t in spec.process.transitions if t.id == transition_id), None)
    if transition is None:
        raise Http404
    form = StepForm(
        request.POST,
        prefix=transition_id,
        does=transition.does,
        outcomes=spec.process.decisions.outcomes,
        language=request.LANGUAGE_CODE,
    )
    if not form.is_valid():
        return _render_case(request, case, staff, status=400, step=(transition_id, form))
    confirmed = request.POST.get(f"{transition_id}-confirmed") == "1"
    if transition.does == "decide" and not confirmed:
        return _confirm_decision(request, case, staff, transition_id, form)
    try:
        case_actions.take(
            staff=staff,
            case=case,
            transition_id=transition_id,
            revision=form.cleaned_data["revision"],
            message=form.cleaned_data.get("message", ""),
            due_on=form.cleaned_data.get("due_on"),
            outcome=form.cleaned_data.get("outcome", ""),
            reasons=form.cleaned_data.get("reasons", ""),
        )
    except ValidationError as error:
        _apply_errors(form, error)
        return _render_case(request, case, staff, status=400, step=(transition_id, form))
    except case_actions.Refused as refused:
        return _render_case(request, case, staff, status=409, refused=refused.message)
    return _done(request, case, _("Ärendet är uppdaterat."))


def _confirm_decision(
    request: HttpRequest,
    case: Case,
    staff: case_actions.Staff,
    transition_id: str,
    form: StepForm,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """A decision is taken in two steps: what it will say (outcome, reasons, fee today),
    then "Fatta beslutet". The second post carries the same fields and `confirmed`. Where
    the package has decisions signed, the case worker signs these terms with BankID first
    (web.decision_views), and comes back here to take it."""
    try:
        terms = case_actions.decision_terms(
            case, form.cleaned_data["outcome"], form.cleaned_data["reasons"]
        )
    except ValidationError as failure:
        _apply_errors(form, failure)
        return _render_case(request, case, staff, status=400, step=(transition_id, form))
    context: dict[str, Any] = {
        "case": case,
        "transition_id": transition_id,
        "terms": terms,
        "outcome_label": _label(terms.outcome.label, request.LANGUAGE_CODE),
        "revision": form.cleaned_data["revision"],
        "error": error,
    }
    if catalogue.spec_of(case.service_version).signing.decisions:
        signer = case_actions.decision_signer(staff)
        to_sign = case_actions.terms_to_sign(case, terms)
        context |= {
            "signing": True,
            "signer": signer,
            "to_sign": to_sign,
            "signature": signing.decision_signature(case, to_sign, signer) if signer else None,
            "question": bankid_messages.text("RFA20"),
        }
    return render(request, "web/cases/confirm_decision.html", context, status=status)


@require_POST
@login_required
def staff_assign(request: HttpRequest, public_id: str) -> HttpResponse:
    case, staff = _staff_case(request, public_id)
    workers = _workers(case.organisation_id)
    form = AssignForm(request.POST, workers=workers)
    if not form.is_valid():
        return _render_case(request, case, staff, status=400, assign_form=form)
    chosen = form.cleaned_data["assigned_to"]
    to = identity_queries.staff_user(int(chosen)) if chosen else None
    try:
        case_actions.assign(staff=staff, case=case, to=to, revision=form.cleaned_data["revision"])
    except ValidationError as error:
        _apply_errors(form, error)
        return _render_case(request, case, staff, status=400, assign_form=form)
    except case_actions.Refused as refused:
        return _render_case(request, case, staff, status=409, refused=refused.message)
    return _done(request, case, _("Ärendet är tilldelat."))


@require_POST
@login_required
def staff_extend(request: HttpRequest, public_id: str) -> HttpResponse:
    case, staff = _staff_case(request, public_id)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, staff, status=400, extend_form=form)
    try:
        case_actions.extend_deadline(
            staff=staff,
            case=case,
            days=form.cleaned_data["days"],
            reason=form.cleaned_data["reason"],
            revision=form.cleaned_data["revision"],
        )
    except ValidationError as error:
        _apply_errors(form, error)
        return _render_case(request, case, staff, status=400, extend_form=form)
    except case_actions.Refused as refused:
        return _render_case(request, case, staff, status=409, refused=refused.message)
    return _done(request, case, _("Handläggningstiden är förlängd och den sökande underrättad."))


def _file_response(document: Document) -> FileResponse:
    if document.attachment is not None:
        name, content_type = document.attachment.file_name, document.attachment.content_type
        storage_name = document.attachment.storage_name
    elif document.storage_name:
        name, content_type = (
            f"{document.number.replace(' ', '-').replace('/', '-')}.pdf",
            document.content_type,
        )
        storage_name = document.storage_name
    else:
        raise Http404
    return FileResponse(
        storage.open_stored(storage_name).open("rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type,
    )


@require_safe
@login_required
def staff_document(request: HttpRequest, public_id: str, sequence: int) -> FileResponse:
    case, _staff = _staff_case(request, public_id)
    document = case_queries.document_for_staff(request.user, case, sequence)  # type: ignore[arg-type]
    if document is None:
        raise Http404
    return _file_response(document)


# -- the applicant's case page ------------------------------------------------------------


def _person_case(request: HttpRequest, public_id: str) -> Case:
    case = case_queries.case_for_person(
        resident(request).identifier, public_id, loa=resident_loa(request)
    )
    if case is None:
        raise Http404
    return case


def _render_my_case(
    request: HttpRequest, case: Case, *, form: AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    spec = catalogue.spec_of(case.service_version)
    language = request.LANGUAGE_CODE
    state = next(s for s in spec.process.states if s.id == case.state)
    timing = case_actions.clock_of(case)
    documents = disclosure.shown_all(list(case_queries.documents_of(case)), Reader.PARTY)
    context = {
        "case": case,
        "service_name": _label(spec.name, language),
        "state_label": _label(state.label, language),
        "state_text": _label(state.resident_text, language),
        "timing": timing,
        "open_request": case_queries.open_request(case),
        "decision": case_queries.decision_of(case),
        "appeal_to": _label(spec.process.decisions.appeal.to, language),
        "documents": documents,
        "form": form or AnswerForm(),
    }
    return render(request, "web/cases/my_case.html", context, status=status)


@require_safe
@resident_required
def my_case(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_my_case(request, _person_case(request, public_id))


@require_POST
@resident_required
def my_case_answer(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _person_case(request, public_id)
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_my_case(request, case, form=form, status=400)
    files = [(f.name or "fil", f.chunks()) for f in request.FILES.getlist("attachments")]
    try:
        case_actions.answer_request(
            actor=resident(request),
            case=case,
            text=form.cleaned_data["text"],
            files=files,
            actor_loa=resident_loa(request),
        )
    except ValidationError as error:
        _apply_errors(form, error)
        return _render_my_case(request, case, form=form, status=400)
    except case_actions.Refused as refused:
        form.add_error(None, refused.message)
        return _render_my_case(request, case, form=form, status=409)
    messages.success(request, _("Tack! Ditt svar är registrerat i ärendet."))
    return redirect("web:my-case", case.public_id)


@require_safe
@resident_required
def my_case_document(request: HttpRequest, public_id: str, sequence: int) -> FileResponse:
    """The applicant's documents in their case: what they sent and what was sent to them."""
    case = _person_case(request, public_id)
    document = case_queries.documents_of(case).filter(sequence=sequence).first()
    if document is None or not disclosure.shown(document, Reader.PARTY).has_file:
        raise Http404
    return _file_response(document)


# -- the public diary -------------------------------------------------------------------------


@require_safe
def diary(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = core_queries.organisation_by_slug(slug)
    if organisation is None:
        raise Http404
    number = request.GET.get("diarienummer", "").replace("\x00", "").strip()[:20]
    page = _page_number(request)
    documents, more = case_queries.diary(organisation.pk, number=number, page=page)
    query = {"diarienummer": number} if number else {}
    context = {
        "organisation": organisation,
        "documents": disclosure.shown_all(documents, Reader.PUBLIC),
        "number": number,
        "page": page,
        "previous_url": f"?{urlencode({**query, 'sida': page - 1})}" if page > 1 else "",
        "next_url": f"?{urlencode({**query, 'sida': page + 1})}" if more else "",
    }
    return render(request, "web/cases/diary.html", context)
