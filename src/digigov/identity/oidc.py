"""The OIDC relying party: the one code path for every e-ID provider.

Sweden Connect's OIDC, Freja and an OIDC-fronted BankID are configured by
environment variables; the installation's own test e-ID provider is reached
the same way, over HTTP, through its discovery document.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, import_key

from digigov import config
from digigov.core import outbound
from digigov.identity import loa
from digigov.identity.port import Identity

PERSONAL_IDENTITY_NUMBER_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
COORDINATION_NUMBER_CLAIM = "https://id.oidc.se/claim/coordinationNumber"
SCOPES = "openid profile https://id.oidc.se/scope/naturalPersonNumber"
TEST_PROVIDER = "test"
TEST_CLIENT_ID = "digigov"
_DISCOVERY_SECONDS = 600
_HTTP_TIMEOUT = 10.0


class SignInError(Exception):
    """The sign-in cannot go on. ``code`` picks the message shown to the person."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    private_key_file: str = ""  # for private_key_jwt (RFC 7523), a PEM file


def test_client_secret() -> str:
    """The test provider's client secret, derived so the two sides need no shared setup."""
    return hmac.new(settings.SECRET_KEY.encode(), b"test-eid-client", hashlib.sha256).hexdigest()


def test_issuer(request: HttpRequest | None = None) -> str:
    """The built-in test provider's issuer: at the installation's public address, never at
    the Host a request names (the sign-in's back channel calls the issuer)."""
    return settings.PUBLIC_URL + reverse("identity:test-eid-root").rstrip("/")


def providers(request: HttpRequest) -> list[Provider]:
    found = []
    for name in settings.EID_PROVIDERS:
        found.append(provider(request, name))
    return found


def provider(request: HttpRequest, name: str) -> Provider:
    if name not in settings.EID_PROVIDERS:
        raise SignInError("unknown_provider", name)
    if name == TEST_PROVIDER:
        return Provider(
            name=name,
            label="Test-e-legitimation / Test e-ID",
            issuer=test_issuer(request),
            client_id=TEST_CLIENT_ID,
            client_secret=test_client_secret(),
        )
    issuer = config.provider_variable(config.OIDC_ISSUER, name)
    client_id = config.provider_variable(config.OIDC_CLIENT_ID, name)
    if not issuer or not client_id:
        raise SignInError("unknown_provider", f"{name} has no issuer or client id configured")
    return Provider(
        name=name,
        label=config.provider_variable(config.OIDC_LABEL, name),
        issuer=issuer,  # exactly as the provider states it (OIDC Discovery 4.3), "/" and all
        client_id=client_id,
        client_secret=config.provider_variable(config.OIDC_CLIENT_SECRET, name),
        private_key_file=config.provider_variable(config.OIDC_PRIVATE_KEY_FILE, name),
    )


# Tests route the back channel into Django's test client; None means plain HTTP.
transport: httpx.BaseTransport | None = None

_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks_cache: dict[str, tuple[float, KeySet]] = {}


def _http() -> httpx.Client:
    return outbound.http_client(timeout=_HTTP_TIMEOUT, transport=transport)


def discover(issuer: str) -> dict[str, Any]:
    cached = _discovery_cache.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        with _http() as client:
            response = client.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
            response.raise_for_status()
            document: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise SignInError("provider_unavailable", str(error)) from error
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise SignInError("provider_misconfigured", "issuer in discovery does not match")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(endpoint), str):
            raise SignInError("provider_misconfigured", f"discovery has no {endpoint}")
    _discovery_cache[issuer] = (time.monotonic() + _DISCOVERY_SECONDS, document)
    return document


@dataclass(frozen=True)
class AuthorizationStart:
    url: str
    state: str
    nonce: str
    code_verifier: str


def start(provider: Provider, redirect_uri: str, acr: str = loa.LOA3) -> AuthorizationStart:
    """Build the authorization request: state, nonce and PKCE (S256) every time."""
    document = discover(provider.issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        "acr_values": acr,
        "prompt": "login",
    }
    endpoint = document["authorization_endpoint"]
    separator = "&" if "?" in endpoint else "?"
    url = f"{endpoint}{separator}{urlencode(query)}"
    return AuthorizationStart(url=url, state=state, nonce=nonce, code_verifier=verifier)


def check_response_issuer(provider: Provider, issuer: str | None) -> None:
    """RFC 9207: the authorization response names its issuer, so a response from another
    provider (a mix-up attack) is refused; a provider that says it sends `iss` must."""
    if issuer is None:
        if discover(provider.issuer).get("authorization_response_iss_parameter_supported"):
            raise SignInError("token_invalid", "the authorization response has no iss")
        return
    if issuer != provider.issuer:
        raise SignInError("token_invalid", "the authorization response is from another issuer")


def finish(
    provider: Provider, *, code: str, redirect_uri: str, nonce: str, code_verifier: str
) -> Identity:
    """Redeem the code, verify the ID token, read userinfo where offered, and return who
    signed in."""
    document = discover(provider.issuer)
    token = _redeem(provider, document, code, redirect_uri, code_verifier)
    claims = _verify_id_token(provider, document, token.get("id_token"), nonce)
    merged = dict(claims)
    if isinstance(document.get("userinfo_endpoint"), str):
        userinfo = _userinfo(provider, document, str(token.get("access_token", "")))
        if userinfo.get("sub") != claims["sub"]:
            raise SignInError("token_invalid", "userinfo is about another subject")
        merged = {**userinfo, **claims}
    number = merged.get(PERSONAL_IDENTITY_NUMBER_CLAIM) or merged.get(COORDINATION_NUMBER_CLAIM)
    if not number:
        raise SignInError("no_identity_number")
    given, family = merged.get("given_name", ""), merged.get("family_name", "")
    return Identity(
        personal_identity_number=str(number),
        given_name=str(given),
        surname=str(family),
        display_name=str(merged.get("name") or f"{given} {family}".strip()),
        loa=str(merged.get("acr", "")),
        provider=provider.name,
        subject=str(claims["sub"]),
        method="oidc",
        # the signed ID token proves the sign-in; userinfo is what it added
        evidence={"id_token": token["id_token"], "claims": merged},
    )


# -- the token endpoint ------------------------------------------------------------------


def auth_method(provider: Provider, document: dict[str, Any]) -> str:
    """The client authentication the provider offers and we can do, strongest first
    (OIDC Discovery: client_secret_basic when the provider lists none)."""
    offered = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    ours = []
    if provider.private_key_file:
        ours.append("private_key_jwt")
    if provider.client_secret:
        ours += ["client_secret_basic", "client_secret_post"]
    for method in ours:
        if method in offered:
            return method
    raise SignInError(
        "provider_misconfigured",
        f"no client authentication in common: the provider offers {offered}, we have {ours}",
    )


def _redeem(
    provider: Provider, document: dict[str, Any], code: str, redirect_uri: str, verifier: str
) -> dict[str, Any]:
    endpoint = document["token_endpoint"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    headers = {"Accept": "application/json"}
    method = auth_method(provider, document)
    if method == "client_secret_basic":
        # RFC 6749 2.3.1: both parts form-urlencoded before Base64, so ":" "+" "%" survive
        pair = f"{quote_plus(provider.client_id)}:{quote_plus(provider.client_secret)}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    elif method == "client_secret_post":
        form.update(client_id=provider.client_id, client_secret=provider.client_secret)
    else:
        form.update(
            client_id=provider.client_id,
            client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            client_assertion=_client_assertion(provider, endpoint),
        )
    try:
        with _http() as client:
            response = client.post(endpoint, data=form, headers=headers)
    except httpx.HTTPError as error:
        raise SignInError("provider_unavailable", str(error)) from error
    if response.status_code >= 500:
        raise SignInError("provider_unavailable", f"token endpoint answered {response.status_code}")
    try:
        token = response.json()
    except ValueError as error:
        raise SignInError("token_refused", "the token response is not JSON") from error
    if response.status_code != 200 or not isinstance(token, dict):
        error_code = token.get("error", "") if isinstance(token, dict) else ""
        raise SignInError("token_refused", f"{response.status_code} {error_code}".strip())
    return token


def _client_assertion(provider: Provider, endpoint: str) -> str:
    """RFC 7523 2.2: a short-lived JWT signed with the client's own key."""
    try:
        pem = Path(provider.private_key_file).read_bytes()
        private = serialization.load_pem_private_key(pem, password=None)
        key = import_key(pem, "EC" if isinstance(private, ec.EllipticCurvePrivateKey) else "RSA")
    except (OSError, ValueError, TypeError, JoseError) as error:
        raise SignInError("provider_misconfigured", f"the client key: {error}") from error
    now = int(time.time())
    claims = {
        "iss": provider.client_id,
        "sub": provider.client_id,
        "aud": endpoint,
        "jti": generate_token(32),
        "iat": now,
        "exp": now + 60,
    }
    algorithm = "ES256" if key.key_type == "EC" else "RS256"
    return jwt.encode({"alg": algorithm, "typ": "JWT"}, claims, key)


# -- tokens and keys ---------------------------------------------------------------------

ALGORITHMS = ["RS256", "PS256", "ES256"]


def _keys(document: dict[str, Any], *, fresh: bool = False) -> KeySet:
    """The provider's signing keys, kept for the discovery document's lifetime; fetched
    again when a token names a key we do not have (the provider rotated)."""
    uri = document["jwks_uri"]
    cached = _jwks_cache.get(uri)
    if cached and cached[0] > time.monotonic() and not fresh:
        return cached[1]
    try:
        with _http() as client:
            response = client.get(uri)
            response.raise_for_status()
            keys = KeySet.import_key_set(response.json())
    except (httpx.HTTPError, ValueError, JoseError) as error:
        raise SignInError("provider_unavailable", str(error)) from error
    _jwks_cache[uri] = (time.monotonic() + _DISCOVERY_SECONDS, keys)
    return keys


def _decode(document: dict[str, Any], token: str) -> jwt.Token:
    try:
        return jwt.decode(token, _keys(document), algorithms=ALGORITHMS)
    except JoseError:
        # perhaps a key the provider rotated in since we fetched: once more, fresh
        return jwt.decode(token, _keys(document, fresh=True), algorithms=ALGORITHMS)


def _verify_id_token(
    provider: Provider, document: dict[str, Any], id_token: object, nonce: str
) -> dict[str, Any]:
    if not isinstance(id_token, str) or not id_token:
        raise SignInError("token_invalid", "no id_token in the token response")
    try:
        token = _decode(document, id_token)
        registry = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": provider.issuer},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError) as error:
        raise SignInError("token_invalid", str(error)) from error
    _check_audience(provider, token.claims)
    return dict(token.claims)


def _check_audience(provider: Provider, claims: dict[str, Any]) -> None:
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if provider.client_id not in audiences:
        raise SignInError("token_invalid", "the token is for another client")
    # OIDC Core 3.1.3.7: with several audiences, azp names us
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise SignInError("token_invalid", "the token was issued to another party")


def _userinfo(provider: Provider, document: dict[str, Any], access_token: str) -> dict[str, Any]:
    """Userinfo as JSON, or signed (OIDC Core 5.3.2: application/jwt)."""
    try:
        with _http() as client:
            response = client.get(
                document["userinfo_endpoint"],
                headers={"Authorization": f"Bearer {access_token}"},
            )
            response.raise_for_status()
    except httpx.HTTPError as error:
        raise SignInError("provider_unavailable", str(error)) from error
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == "application/jwt":
            claims = dict(_decode(document, response.text.strip()).claims)
            if "iss" in claims and claims["iss"] != provider.issuer:
                raise SignInError("token_invalid", "signed userinfo from another issuer")
            if "aud" in claims:
                _check_audience(provider, claims)
            return claims
        found = response.json()
    except (JoseError, ValueError) as error:
        raise SignInError("token_invalid", f"userinfo: {error}") from error
    if not isinstance(found, dict):
        raise SignInError("token_invalid", "userinfo is not an object")
    return found
