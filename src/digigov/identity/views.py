"""Sign-in pages for residents: the choice of e-ID, the OpenID Connect round trip, and where
every way in ends (complete_sign_in)."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from digigov.core.identifiers import parse_person_identifier
from digigov.identity import actions, loa, oidc, queries, session
from digigov.identity.bankid import flow as bankid_flow
from digigov.identity.port import Identity

PENDING_KEY = "oidc_pending"
logger = logging.getLogger(__name__)
_MAX_PENDING = 5

SIGN_IN_ERRORS = {
    "unknown_provider": gettext_lazy("Det inloggningssättet finns inte här."),
    "state_invalid": gettext_lazy(
        "Inloggningen har gått ut eller har redan använts. Börja om från början."
    ),
    "access_denied": gettext_lazy("Inloggningen avbröts."),
    "provider_unavailable": gettext_lazy(
        "Tjänsten för e-legitimation svarar inte just nu. Försök igen om en stund."
    ),
    "token_refused": gettext_lazy("Vi kunde inte bekräfta din inloggning. Börja om från början."),
    "token_invalid": gettext_lazy("Vi kunde inte bekräfta din inloggning. Börja om från början."),
    "provider_misconfigured": gettext_lazy(
        "Inloggningssättet är felaktigt inställt. Kontakta oss."
    ),
    "no_identity_number": gettext_lazy("E-legitimationen gav inget giltigt personnummer."),
    "insufficient_loa": gettext_lazy(
        "Din e-legitimation har för låg tillitsnivå för den här tjänsten."
    ),
    "no_staff_account": gettext_lazy(
        "Ingen personalbehörighet är kopplad till den här e-legitimationen. Kontakta din "
        "administratör."
    ),
}


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("web:my-pages")


def _callback_uri(request: HttpRequest, provider: str) -> str:
    return request.build_absolute_uri(reverse("identity:callback", args=[provider]))


def _refused(request: HttpRequest, provider: str, error: oidc.SignInError) -> HttpResponse:
    """A sign-in the provider or its answer stopped: the detail for the operator's log,
    a plain message for the person."""
    logger.warning("sign-in with %s stopped: %s", provider, error)
    return sign_in_error(request, error.code, 503 if error.code == "provider_unavailable" else 400)


def sign_in_error(request: HttpRequest, code: str, status: int = 400) -> HttpResponse:
    message = SIGN_IN_ERRORS.get(code, SIGN_IN_ERRORS["token_invalid"])
    context = {"providers": provider_list(request), "error": str(message), "next": ""}
    return render(request, "identity/sign_in.html", context, status=status)


BANKID = "bankid"
SAML = "saml"


def provider_list(request: HttpRequest, required: str = "") -> list[dict[str, str]]:
    """The ways in this installation offers; for a step-up, those that reach the level."""
    listed = []
    for name in settings.EID_PROVIDERS:
        if name == BANKID:
            if not required or loa.satisfies(bankid_flow.LOA, required):
                listed.append({"name": name, "label": "BankID"})
            continue
        if name == SAML:
            listed.append({"name": name, "label": settings.SAML_LABEL})
            continue
        try:
            listed.append({"name": name, "label": oidc.provider(request, name).label})
        except oidc.SignInError:
            continue
    return listed


# -- residents --------------------------------------------------------------


def for_staff(request: HttpRequest) -> bool:
    """Was the sign-in begun from the staff sign-in page (`personal=1`)?"""
    return (request.GET.get("personal") or request.POST.get("personal")) == "1"


def required_level(request: HttpRequest) -> str:
    """The level of assurance a step-up asks for (`loa`), if it is one we know."""
    required = request.GET.get("loa", "")
    return required if loa.level(required) else ""


@require_safe
def sign_in(request: HttpRequest) -> HttpResponse:
    """Choose how to sign in; with `loa`, sign in again at that level (a step-up): the page
    says so, and the provider is asked for it."""
    next_url = safe_next(request, request.GET.get("next"))
    required = required_level(request)
    current = request.resident  # type: ignore[attr-defined]
    if current and (not required or loa.satisfies(current.loa, required)):
        return redirect(next_url)
    query = urlencode({"next": next_url, **({"loa": required} if required else {})})
    context = {
        "providers": provider_list(request, required),
        "next": next_url,
        "query": query,
        "required": loa.label(required) if required else "",
    }
    return render(request, "identity/sign_in.html", context)


@require_safe
@never_cache
def start(request: HttpRequest, provider: str) -> HttpResponse:
    if provider == BANKID and BANKID in settings.EID_PROVIDERS:
        return redirect(f"{reverse('identity:bankid')}?{request.GET.urlencode()}")
    if provider == SAML and SAML in settings.EID_PROVIDERS:
        return redirect(f"{reverse('identity:saml-start')}?{request.GET.urlencode()}")
    try:
        chosen = oidc.provider(request, provider)
        authorization = oidc.start(
            chosen, _callback_uri(request, provider), required_level(request) or loa.LOA3
        )
    except oidc.SignInError as error:
        return _refused(request, provider, error)
    pending: dict[str, Any] = request.session.get(PENDING_KEY, {})
    # Several tabs may sign in at once; keep the newest few.
    while len(pending) >= _MAX_PENDING:
        pending.pop(min(pending, key=lambda state: pending[state]["started"]))
    pending[authorization.state] = {
        "provider": provider,
        "nonce": authorization.nonce,
        "code_verifier": authorization.code_verifier,
        "next": safe_next(request, request.GET.get("next")),
        "loa": required_level(request),
        "staff": for_staff(request),
        "started": time.time(),
    }
    request.session[PENDING_KEY] = pending
    return redirect(authorization.url)


@require_safe
@never_cache
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    state = request.GET.get("state", "")
    pending: dict[str, Any] = request.session.get(PENDING_KEY, {})
    attempt = pending.pop(state, None)  # a state works once: a replay finds nothing
    request.session[PENDING_KEY] = pending
    if attempt is None or attempt["provider"] != provider:
        return sign_in_error(request, "state_invalid")
    if time.time() - attempt["started"] > 600:
        return sign_in_error(request, "state_invalid")
    try:
        chosen = oidc.provider(request, provider)
        oidc.check_response_issuer(chosen, request.GET.get("iss"))
    except oidc.SignInError as error:
        return _refused(request, provider, error)
    if request.GET.get("error"):
        code = "access_denied" if request.GET["error"] == "access_denied" else "token_refused"
        return sign_in_error(request, code)
    code = request.GET.get("code", "")
    if not code:
        return sign_in_error(request, "token_refused")
    try:
        identity = oidc.finish(
            chosen,
            code=code,
            redirect_uri=_callback_uri(request, provider),
            nonce=attempt["nonce"],
            code_verifier=attempt["code_verifier"],
        )
    except oidc.SignInError as error:
        return _refused(request, provider, error)
    return complete_sign_in(
        request,
        identity,
        attempt.get("loa") or "",
        attempt["next"],
        staff=attempt.get("staff", False),
    )


def complete_sign_in(
    request: HttpRequest, identity: Identity, required: str, next_url: str, *, staff: bool = False
) -> HttpResponse:
    """Where every way in (OIDC, BankID, SAML) ends: the identity must carry a valid number
    and a known level that meets what the sign-in asked for; then the person is signed in,
    the evidence kept, and sent on."""
    try:
        parse_person_identifier(identity.personal_identity_number)
    except ValidationError:
        return sign_in_error(request, "no_identity_number")
    if loa.level(identity.loa) == 0 or (required and not loa.satisfies(identity.loa, required)):
        return sign_in_error(request, "insufficient_loa", 403)
    if staff:  # begun from the staff sign-in page
        from digigov.identity.staff_views import complete_staff_sign_in

        return complete_staff_sign_in(request, identity, next_url)
    session.start(request, actions.sign_in(identity))
    return redirect(next_url)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out here, and at the identity provider when it keeps a session of its own
    (SAML single logout)."""
    current = request.resident  # type: ignore[attr-defined]
    provider_logout = None
    if current is not None:
        signed_in = queries.sign_in_of(current.resident_id, current.sign_in_id)
        if signed_in is not None and signed_in.method == "saml":
            provider_logout = _saml_logout(signed_in.evidence)
        actions.sign_out_resident(current.resident)
    session.end(request)
    messages.info(request, _("Du är utloggad."))
    return redirect(provider_logout or "web:home")


def _saml_logout(evidence: dict[str, Any]) -> str | None:
    from digigov.identity.saml import sp

    try:
        return sp.logout_url(
            evidence.get("issuer", ""),
            evidence.get("name_id", ""),
            evidence.get("session_index", ""),
            relay_state=secrets.token_urlsafe(12),
        )
    except oidc.SignInError as error:
        logger.warning("no SAML logout: %s", error)
        return None
