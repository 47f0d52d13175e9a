"""Signing a decision with e-ID, where the package says decisions are signed: the case
worker confirms the terms, signs them with BankID (their account's e-ID), and comes back
to the confirmation to take the decision. Which terms they were signing is kept in the
session meanwhile; the signature itself is found again by the terms' hash."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from digigov.cases import actions as case_actions
from digigov.cases import signing
from digigov.cases.models import Case
from digigov.core import clients
from digigov.identity.bankid import flow, messages
from digigov.identity.bankid.client import BankIdError
from digigov.services import catalogue
from digigov.web.case_forms import StepForm
from digigov.web.case_views import _confirm_decision, _render_case, _staff_case

DRAFT = "decision_to_sign"
DEVICES = ("this", "qr")


def _step_form(
    request: HttpRequest,
    case: Case,
    staff: case_actions.Staff,
    transition_id: str,
    data: Mapping[str, Any],
) -> StepForm:
    """The decision's form, where this staff member may take that decision now (the
    process's rule, as the case page offers it) and the package has decisions signed."""
    spec = catalogue.spec_of(case.service_version)
    allowed = case_actions.allowed_transitions(case, staff.roles)
    transition = next((t for t in allowed if t.id == transition_id), None)
    if transition is None or transition.does != "decide" or not spec.signing.decisions:
        raise Http404
    return StepForm(
        data,
        prefix=transition_id,
        does="decide",
        outcomes=spec.process.decisions.outcomes,
        language=request.LANGUAGE_CODE,
    )


@require_POST
@login_required
def sign_decision(request: HttpRequest, public_id: str, transition_id: str) -> HttpResponse:
    case, staff = _staff_case(request, public_id)
    form = _step_form(request, case, staff, transition_id, request.POST)
    if not form.is_valid():
        return _render_case(request, case, staff, status=400, step=(transition_id, form))
    signer = case_actions.decision_signer(staff)
    device = request.POST.get("device", "")
    if signer is None:
        return _confirm_decision(request, case, staff, transition_id, form, status=409)
    if device not in DEVICES:
        error = _("Välj var du har ditt BankID.")
        return _confirm_decision(request, case, staff, transition_id, form, error=error, status=400)
    try:
        terms = case_actions.decision_terms(
            case, form.cleaned_data["outcome"], form.cleaned_data["reasons"]
        )
        flow.begin(
            request.session,
            end_user_ip=clients.address(request),
            device=device,
            next_url=reverse("web:staff-case-decision", args=[case.public_id]),
            required="",
            return_url=settings.PUBLIC_URL + reverse("identity:bankid-return"),
            to_sign=case_actions.terms_to_sign(case, terms),
            signer=signer,
            purpose=signing.decision_purpose(case),
            staff=True,
        )
    except BankIdError as failure:
        rfa = messages.code_for_error(failure.error_code)
        return _confirm_decision(
            request,
            case,
            staff,
            transition_id,
            form,
            error=messages.text(rfa),
            status=messages.status_for(rfa),
        )
    # The terms are checked again (decision_terms) when the form returns from BankID.
    request.session[DRAFT] = {
        "case": str(case.public_id),
        "transition": transition_id,
        "data": {
            form.add_prefix(name): request.POST.get(form.add_prefix(name), "")
            for name in ("revision", "outcome", "reasons")
        },
    }
    return redirect("identity:bankid-wait")


@require_safe
@never_cache
@login_required
def decision(request: HttpRequest, public_id: str) -> HttpResponse:
    """Back from BankID: the decision's confirmation again, now signed (or not, if the
    person cancelled), to take it."""
    case, staff = _staff_case(request, public_id)
    draft = request.session.get(DRAFT)
    allowed = {t.id for t in case_actions.allowed_transitions(case, staff.roles)}
    if not (
        isinstance(draft, dict)
        and draft.get("case") == str(case.public_id)
        and isinstance(draft.get("transition"), str)
        and draft["transition"] in allowed
        and isinstance(draft.get("data"), dict)
    ):  # none, broken, another case's, or the decision is taken
        request.session.pop(DRAFT, None)
        return redirect("web:staff-case", case.public_id)
    transition: str = draft["transition"]
    form = _step_form(request, case, staff, transition, draft["data"])
    if not form.is_valid():
        return _render_case(request, case, staff, status=400, step=(transition, form))
    return _confirm_decision(request, case, staff, transition, form)
