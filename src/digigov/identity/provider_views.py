"""The built-in test e-ID provider's endpoints (OpenID Connect), off in production."""

from __future__ import annotations

import base64
import binascii
import time
from urllib.parse import unquote_plus, urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.core.identifiers import parse_person_identifier
from digigov.identity import actions, builtin_eid, loa, oidc, queries
from digigov.identity.forms import TestSignInForm


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
