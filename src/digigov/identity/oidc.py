"""The OIDC relying party: the one code path for every e-ID provider.

Sweden Connect's OIDC, Freja and an OIDC-fronted BankID are configured by
environment variables; the installation's own test e-ID provider is reached
the same way, over HTTP, through its discovery document.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from digigov import config
from digigov.core import outbound
from digigov.identity import loa

with warnings.catch_warnings():
    # Authlib prefers the httpx2 fork and warns when it falls back to httpx, which
    # DESIGN.md chose for the whole platform (docs/adr/0003).
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client

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


@dataclass(frozen=True)
class Identity:
    """What an e-ID tells us about the person."""

    personal_identity_number: str
    given_name: str
    surname: str
    display_name: str
    loa: str
    provider: str
    subject: str


def test_client_secret() -> str:
    """The test provider's client secret, derived so the two sides need no shared setup."""
    return hmac.new(settings.SECRET_KEY.encode(), b"test-eid-client", hashlib.sha256).hexdigest()


def test_issuer(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("identity:test-eid-root")).rstrip("/")


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
        issuer=issuer.rstrip("/"),
        client_id=client_id,
        client_secret=config.provider_variable(config.OIDC_CLIENT_SECRET, name),
    )


# Tests route the back channel into Django's test client; None means plain HTTP.
transport: httpx.BaseTransport | None = None

_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def _http() -> httpx.Client:
    return outbound.http_client(timeout=_HTTP_TIMEOUT, transport=transport)


def discover(issuer: str) -> dict[str, Any]:
    cached = _discovery_cache.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        with _http() as client:
            response = client.get(f"{issuer}/.well-known/openid-configuration")
            response.raise_for_status()
            document: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise SignInError("provider_unavailable", str(error)) from error
    if document.get("issuer") != issuer:
        raise SignInError("provider_misconfigured", "issuer in discovery does not match")
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
    url = f"{document['authorization_endpoint']}?{urlencode(query)}"
    return AuthorizationStart(url=url, state=state, nonce=nonce, code_verifier=verifier)


def finish(
    provider: Provider, *, code: str, redirect_uri: str, nonce: str, code_verifier: str
) -> Identity:
    """Redeem the code, verify the ID token, read userinfo, and return who signed in."""
    document = discover(provider.issuer)
    client = OAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
        timeout=_HTTP_TIMEOUT,
        transport=transport,
    )
    with client:
        try:
            token = client.fetch_token(
                document["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                redirect_uri=redirect_uri,
                code_verifier=code_verifier,
            )
        except Exception as error:  # authlib raises OAuthError and httpx errors alike
            raise SignInError("token_refused", str(error)) from error
        claims = _verify_id_token(provider, document, token.get("id_token", ""), nonce)
        try:
            response = client.get(document["userinfo_endpoint"])
            response.raise_for_status()
            userinfo: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise SignInError("provider_unavailable", str(error)) from error
    if userinfo.get("sub") != claims["sub"]:
        raise SignInError("token_invalid", "userinfo is about another subject")
    merged = {**userinfo, **claims}
    number = merged.get(PERSONAL_IDENTITY_NUMBER_CLAIM) or merged.get(COORDINATION_NUMBER_CLAIM)
    if not number:
        raise SignInError("no_identity_number")
    given, family = merged.get("given_name", ""), merged.get("family_name", "")
    return Identity(
        personal_identity_number=str(number),
        given_name=given,
        surname=family,
        display_name=merged.get("name") or f"{given} {family}".strip(),
        loa=str(merged.get("acr", "")),
        provider=provider.name,
        subject=str(claims["sub"]),
    )


def _verify_id_token(
    provider: Provider, document: dict[str, Any], id_token: str, nonce: str
) -> dict[str, Any]:
    if not id_token:
        raise SignInError("token_invalid", "no id_token in the token response")
    keys = _jwks(document)
    try:
        token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
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
    audience = token.claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if provider.client_id not in audiences:
        raise SignInError("token_invalid", "the ID token is for another client")
    return dict(token.claims)


def _jwks(document: dict[str, Any]) -> KeySet:
    try:
        with _http() as client:
            response = client.get(document["jwks_uri"])
            response.raise_for_status()
            return KeySet.import_key_set(response.json())
    except (httpx.HTTPError, ValueError, JoseError) as error:
        raise SignInError("provider_unavailable", str(error)) from error
