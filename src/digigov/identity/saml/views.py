"""Signing in through Sweden Connect (SAML): the service provider's pages, and the test
identity provider's."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.identity import loa
from digigov.identity import views as sign_in_views
from digigov.identity.forms import TestSignInForm
from digigov.identity.oidc import SignInError
from digigov.identity.saml import sp, test_idp

logger = logging.getLogger(__name__)
PENDING_KEY = "saml_pending"
_MAX_PENDING = 5
_PENDING_SECONDS = 600


def idp_entity_id() -> str:
    return settings.SAML_IDP or test_idp.entity_id()


def _refused(request: HttpRequest, error: SignInError) -> HttpResponse:
    logger.warning("SAML sign-in stopped: %s", error)
    status = 503 if error.code == "provider_unavailable" else 400
    return sign_in_views.sign_in_error(request, error.code, status)


@require_safe
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """A signed AuthnRequest for the level asked (level 3 unless a step-up asks more),
    naming the person when they are signed in already (a step-up)."""
    if "saml" not in settings.EID_PROVIDERS:
        raise Http404
    required = sign_in_views.required_level(request) or loa.LOA3
    current = request.resident  # type: ignore[attr-defined]
    try:
        started = sp.start(
            idp_entity_id(),
            required,
            relay_state=secrets.token_urlsafe(16),
            principal=current.personal_identity_number if current else "",
        )
    except SignInError as error:
        return _refused(request, error)
    pending: dict[str, Any] = request.session.get(PENDING_KEY, {})
    while len(pending) >= _MAX_PENDING:
        pending.pop(min(pending, key=lambda key: pending[key]["started"]))
    pending[started.request_id] = {
        "next": sign_in_views.safe_next(request, request.GET.get("next")),
        "loa": required,
        "staff": sign_in_views.for_staff(request),
        "started": time.time(),
    }
    request.session[PENDING_KEY] = pending
    return redirect(started.url)


@csrf_exempt  # the identity provider posts here; the answer itself is the proof
@require_POST
@never_cache
def acs(request: HttpRequest) -> HttpResponse:
    """The identity provider's answer. A browser coming from another site brings no
    session cookie (SameSite=Lax), so the answer is posted once more from our own page."""
    saml_response = request.POST.get("SAMLResponse", "")
    if not saml_response:
        return sign_in_views.sign_in_error(request, "token_invalid")
    pending: dict[str, Any] = request.session.get(PENDING_KEY, {})
    if not pending and not request.POST.get("again"):
        context = {"fields": {"SAMLResponse": saml_response, "again": "1"}}
        return render(request, "identity/saml_continue.html", context)
    fresh = {
        request_id: attempt
        for request_id, attempt in pending.items()
        if time.time() - attempt["started"] < _PENDING_SECONDS
    }
    try:
        identity = sp.finish(
            saml_response, {request_id: attempt["next"] for request_id, attempt in fresh.items()}
        )
    except SignInError as error:
        return _refused(request, error)
    # the request it answered is used up: the same answer again finds nothing
    attempt = fresh.pop(identity.evidence["in_response_to"], None)
    request.session[PENDING_KEY] = fresh
    if attempt is None:
        return sign_in_views.sign_in_error(request, "state_invalid")
    return sign_in_views.complete_sign_in(
        request, identity, attempt["loa"], attempt["next"], staff=attempt.get("staff", False)
    )


@require_safe
def metadata(request: HttpRequest) -> HttpResponse:
    """Our signed metadata, for the federation to register."""
    if "saml" not in settings.EID_PROVIDERS:
        raise Http404
    return HttpResponse(sp.metadata_xml(), content_type="application/samlmetadata+xml")


@require_safe
@never_cache
def sls(request: HttpRequest) -> HttpResponse:
    """Back from the identity provider's logout. We signed out before going there; a bad
    or missing answer only means the identity provider may still remember the person."""
    answer = request.GET.get("SAMLResponse", "")
    if answer and not sp.logged_out(answer):
        logger.warning("the identity provider's logout answer was not accepted")
    return redirect("web:home")


# -- the test identity provider ---------------------------------------------------------


def _test_idp_enabled() -> None:
    if not settings.SAML_TEST_IDP:
        raise Http404


@require_safe
def idp_metadata(request: HttpRequest) -> HttpResponse:
    _test_idp_enabled()
    return HttpResponse(test_idp.metadata_xml(), content_type="application/samlmetadata+xml")


REQUEST_FIELDS = ("SAMLRequest", "RelayState", "SigAlg", "Signature")


@require_safe
@never_cache
def idp_slo(request: HttpRequest) -> HttpResponse:
    """The test identity provider forgets the person and sends them back."""
    _test_idp_enabled()
    carried = {name: request.GET.get(name, "") for name in REQUEST_FIELDS}
    try:
        back = test_idp.logout(
            carried["SAMLRequest"], carried["RelayState"], carried["SigAlg"], carried["Signature"]
        )
    except ValueError as error:
        logger.info("test IdP refused a logout: %s", error)
        context = {"error": _("Begäran om utloggning är inte giltig.")}
        return render(request, "identity/test_provider_error.html", context, status=400)
    return redirect(back)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def idp_sso(request: HttpRequest) -> HttpResponse:
    """Who to be, at which level; then the signed, encrypted answer."""
    _test_idp_enabled()
    params = request.POST if request.method == "POST" else request.GET
    carried = {name: params.get(name, "") for name in REQUEST_FIELDS}
    try:
        checked = test_idp.read_request(
            carried["SAMLRequest"], carried["RelayState"], carried["SigAlg"], carried["Signature"]
        )
    except ValueError as error:
        logger.info("test IdP refused a request: %s", error)
        message = _("Begäran om inloggning är inte giltig (osignerad eller okänd avsändare).")
        return render(request, "identity/test_provider_error.html", {"error": message}, status=400)
    requested = next((level for level in checked.levels if loa.level(level)), loa.LOA3)
    initial = {"loa": requested, "personal_identity_number": checked.principal}
    form = TestSignInForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and "cancel" in request.POST:
        return redirect("identity:sign-in")
    if request.method == "POST" and form.is_valid():
        person = form.person()
        answer = test_idp.respond(
            checked,
            number=person.personal_identity_number,
            given_name=person.given_name,
            surname=person.surname,
            level=form.cleaned_data["loa"],
            relay=carried["RelayState"],
        )
        return render(
            request,
            "identity/saml_continue.html",
            {"action": answer["url"], "fields": answer["fields"]},
        )
    context = {
        "form": form,
        "hidden": carried,
        "people": TestSignInForm.test_people(),
        "principal": checked.principal,
        "saml": True,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/test_provider_authorize.html", context, status=status)
