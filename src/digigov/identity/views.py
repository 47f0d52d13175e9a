"""Sign-in pages for residents (e-ID) and staff, and the test e-ID provider's endpoints."""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
import time
from typing import Any
from urllib.parse import unquote_plus, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.core import clients
from digigov.core.identifiers import parse_person_identifier
from digigov.identity import actions, builtin_eid, loa, oidc, queries, session
from digigov.identity.bankid import flow as bankid_flow
from digigov.identity.forms import StaffSignInForm, TestSignInForm
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
    context = {"providers": _provider_list(request), "error": str(message), "next": ""}
    return render(request, "identity/sign_in.html", context, status=status)


BANKID = "bankid"
SAML = "saml"


def _provider_list(request: HttpRequest, required: str = "") -> list[dict[str, str]]:
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
        "providers": _provider_list(request, required),
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
    return complete_sign_in(request, identity, attempt.get("loa") or "", attempt["next"])


def complete_sign_in(
    request: HttpRequest, identity: Identity, required: str, next_url: str
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


# -- staff ------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def staff_sign_in(request: HttpRequest) -> HttpResponse:
    form = StaffSignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = clients.throttle_key(clients.address(request))
        if queries.staff_sign_in_throttled(username, address, settings.STAFF_LOGIN_ATTEMPTS):
            form.add_error(
                None,
                _(
                    "För många misslyckade inloggningar. Vänta 15 minuter och försök igen, "
                    "eller kontakta din administratör."
                ),
            )
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                actions.record_failed_staff_sign_in(username=username, client_address=address)
                form.add_error(None, _("Fel användarnamn eller lösenord."))
                status = 400
            else:
                login(request, user)
                actions.sign_in_staff(user=user, client_address=address)
                return redirect(_staff_next(request))
    elif request.method == "POST":
        status = 400
    return render(request, "identity/staff_sign_in.html", {"form": form}, status=status)


def _staff_next(request: HttpRequest) -> str:
    candidate = request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}):
        return candidate
    return reverse("web:workspace")


@require_safe
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's sign-in is the staff sign-in: one way in, with its throttle and audit."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('identity:staff-login')}?{urlencode({'next': next_url})}")


@require_POST
@login_required
def staff_sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("Du är utloggad."))
    return redirect("web:home")


# -- the test e-ID provider -------------------------------------------------


def _require_test_provider() -> None:
    if not settings.TEST_EID_ENABLED:
        raise Http404


def _oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def provider_root(request: HttpRequest) -> HttpResponse:
    _require_test_provider()
    return redirect("identity:test-eid-discovery")


@require_safe
def provider_discovery(request: HttpRequest) -> JsonResponse:
    _require_test_provider()
    return JsonResponse(builtin_eid.discovery(oidc.test_issuer(request)))


@require_safe
def provider_jwks(request: HttpRequest) -> JsonResponse:
    _require_test_provider()
    return JsonResponse(builtin_eid.jwks(actions.ensure_provider_key()))


@require_http_methods(["GET", "POST"])
@never_cache
def provider_authorize(request: HttpRequest) -> HttpResponse:
    _require_test_provider()
    params = request.GET if request.method == "GET" else request.POST
    issuer = oidc.test_issuer(request)
    redirect_uri = params.get("redirect_uri", "")
    # Never redirect to an address we do not know: show the error here instead.
    client_id = params.get("client_id", "")
    if not builtin_eid.redirect_uri_is_registered(client_id, redirect_uri, issuer):
        return render(
            request,
            "identity/test_provider_error.html",
            {"error": _("Okänd klient eller returadress. Inloggningen kan inte fortsätta.")},
            status=400,
        )
    state = params.get("state", "")

    def back(**query: str) -> HttpResponse:
        # RFC 9207: every response names its issuer; state only when the client sent one
        answer = {**query, **({"state": state} if state else {}), "iss": issuer}
        separator = "&" if "?" in redirect_uri else "?"
        return redirect(f"{redirect_uri}{separator}{urlencode(answer)}")

    if params.get("response_type") != "code":
        return back(error="unsupported_response_type")
    if len(params.get("scope", "")) > 1000 or len(params.get("nonce", "")) > 255:
        return back(error="invalid_request", error_description="scope or nonce too long")
    if "openid" not in params.get("scope", "").split():
        return back(error="invalid_scope", error_description="openid scope required")
    if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
        return back(error="invalid_request", error_description="PKCE with S256 is required")
    if "none" in params.get("prompt", "").split():
        # OIDC Core 3.1.2.6: the test provider keeps no session, so it can never be silent
        return back(error="login_required")
    requested_acr = params.get("acr_values", "").split()
    default_acr = next((a for a in requested_acr if a in builtin_eid.OFFERED_LOAS), loa.LOA3)
    hidden = {
        key: params.get(key, "")
        for key in (
            "client_id",
            "redirect_uri",
            "response_type",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
            "acr_values",
        )
    }
    if request.method == "POST" and "cancel" in request.POST:
        return back(error="access_denied")
    form = TestSignInForm(
        request.POST if request.method == "POST" else None, initial={"loa": default_acr}
    )
    if request.method == "POST" and form.is_valid():
        person = form.person()
        identifier = parse_person_identifier(person.personal_identity_number)
        claims = builtin_eid.claims_for(
            person, identifier.birth_date.isoformat(), identifier.kind, form.cleaned_data["loa"]
        )
        code = actions.issue_authorization_code(
            client_id=client_id,
            redirect_uri=redirect_uri,
            code_challenge=hidden["code_challenge"],
            nonce=hidden["nonce"],
            scope=hidden["scope"],
            claims=builtin_eid.released(claims, hidden["scope"]),
        )
        return back(code=code)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "hidden": hidden, "people": TestSignInForm.test_people()}
    return render(request, "identity/test_provider_authorize.html", context, status=status)


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    scheme, _space, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _sep, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@csrf_exempt  # a back-channel call from the relying party, authenticated by its secret
@require_POST
def provider_token(request: HttpRequest) -> JsonResponse:
    _require_test_provider()
    client_id, client_secret = _client_credentials(request)
    if not builtin_eid.client_is_valid(client_id, client_secret):
        response = _oauth_error("invalid_client", "client authentication failed", 401)
        response["WWW-Authenticate"] = 'Basic realm="test-eid"'  # RFC 6749 5.2
        return response
    if request.POST.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", "only authorization_code is supported")
    try:
        redeemed = actions.redeem_authorization_code(
            code=request.POST.get("code", ""),
            client_id=client_id,
            redirect_uri=request.POST.get("redirect_uri", ""),
            code_verifier=request.POST.get("code_verifier", ""),
        )
    except actions.ProviderError as error:
        return _oauth_error(error.error, error.description)
    id_token = builtin_eid.id_token(
        actions.ensure_provider_key(),
        issuer=oidc.test_issuer(request),
        client_id=client_id,
        claims=redeemed.claims,
        nonce=redeemed.nonce,
        now=int(time.time()),
    )
    response = JsonResponse(
        {
            "access_token": redeemed.access_token,
            "token_type": "Bearer",
            "expires_in": builtin_eid.ACCESS_TOKEN_SECONDS,
            "id_token": id_token,
            "scope": redeemed.scope,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def provider_userinfo(request: HttpRequest) -> JsonResponse:
    _require_test_provider()
    scheme, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""  # RFC 9110 11.1: any case
    claims = queries.access_token_claims(builtin_eid.token_hash(token)) if token else None
    if claims is None:
        response = _oauth_error("invalid_token", "the access token is unknown or expired", 401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    return JsonResponse(claims)
