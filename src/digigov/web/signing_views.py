"""Signing an application with e-ID before it is submitted: the person reads what they
sign (a summary, and the SHA-256 of the application's PDF, which they can open), signs
with BankID, and then submits. A company whose signatories sign together has the others
sign here too (they find it on Mina sidor); the one who filled it in submits."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages as django_messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from digigov.cases import queries as case_queries
from digigov.cases import signing
from digigov.cases.models import Application
from digigov.core import clients
from digigov.identity.bankid import flow, messages
from digigov.identity.bankid.client import BankIdError
from digigov.services import catalogue
from digigov.web.views import resident, resident_loa, resident_required

DEVICES = ("this", "qr")


def _draft(request: HttpRequest, public_id: str) -> Application:
    found = case_queries.draft_to_sign(
        resident(request).identifier, public_id, loa=resident_loa(request)
    )
    if found is None or not catalogue.spec_of(found.service_version).signing.required:
        raise Http404
    return found


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
def sign(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _draft(request, public_id)
    me = resident(request).identifier
    filer = application.submitted_by == me
    to_sign = signing.to_sign(application)
    if to_sign is None:  # not fixed yet, or changed since: look at it again first
        if filer:
            return redirect("web:application-review", application.public_id)
        django_messages.info(
            request, _("Ansökan har ändrats och är inte redo att skrivas under just nu.")
        )
        return redirect("web:my-pages")
    error, status = "", 200
    if request.method == "POST":
        device = request.POST.get("device", "")
        if device not in DEVICES:
            error, status = _("Välj var du har ditt BankID."), 400
        else:
            here = reverse("web:application-sign", args=[application.public_id])
            try:
                flow.begin(
                    request.session,
                    end_user_ip=clients.address(request),
                    device=device,
                    next_url=here,
                    required="",
                    return_url=settings.PUBLIC_URL + reverse("identity:bankid-return"),
                    to_sign=to_sign,
                    signer=me,
                    purpose=signing.purpose_of(application),
                )
            except BankIdError as failure:
                rfa = messages.code_for_error(failure.error_code)
                error, status = messages.text(rfa), messages.status_for(rfa)
            else:
                return redirect("identity:bankid-wait")
    signers = signing.signers_asked(application)
    signatures = signing.counted(application, signers)
    signed = {s.signer for s in signatures}
    context = {
        "application": application,
        "spec": catalogue.spec_of(application.service_version),
        "to_sign": to_sign,
        "filer": filer,
        "signed_by_me": me in signed,
        "signatures": signatures,
        "attachments": list(case_queries.attachments_of(application)),
        "together": signers.required > 1,
        "required": signers.required,
        "missing": signing.missing(application, signers),
        "not_yet": [
            name for number, name in signers.eligible.items() if number not in signed and name
        ],
        "question": messages.text("RFA20"),
        "error": error,
    }
    return render(request, "web/services/sign.html", context, status=status)


@require_safe
@resident_required
def document(request: HttpRequest, public_id: str) -> HttpResponse:
    """The PDF being signed, as it will be filed."""
    application = _draft(request, public_id)
    pdf = signing.document_of(application)
    if not pdf or not signing.document_matches(application):
        raise Http404
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="ansokan.pdf"'
    return response
