"""The built-in test e-ID provider: a genuine OIDC provider for demos and tests.

It serves discovery, JWKS, authorize, token and userinfo; requires PKCE
(S256), passes state through, binds the nonce into a signed RS256 ID token,
and gives the attributes a Swedish e-ID gives. It is off in production unless
an operator turns it on explicitly (see settings.EID_PROVIDERS).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.http.request import validate_host
from joserfc import jwt
from joserfc.jwk import RSAKey

from digigov.identity import loa, queries
from digigov.identity.models import ProviderKey
from digigov.identity.oidc import (
    COORDINATION_NUMBER_CLAIM,
    PERSONAL_IDENTITY_NUMBER_CLAIM,
    TEST_CLIENT_ID,
    test_client_secret,
)

CODE_SECONDS = 60
ACCESS_TOKEN_SECONDS = 300
ID_TOKEN_SECONDS = 300
KEY_ID = "test-eid-1"
OFFERED_LOAS = [loa.LOA2, loa.LOA3, loa.LOA4]
NUMBER_SCOPE = "https://id.oidc.se/scope/naturalPersonNumber"
INFO_SCOPE = "https://id.oidc.se/scope/naturalPersonInfo"


@dataclass(frozen=True)
class TestPerson:
    __test__ = False  # not a pytest test class, despite the name

    personal_identity_number: str
    given_name: str
    surname: str


def discovery(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", NUMBER_SCOPE, INFO_SCOPE],
        "prompt_values_supported": ["none", "login"],
        "authorization_response_iss_parameter_supported": True,
        "acr_values_supported": OFFERED_LOAS,
        "claims_supported": [
            "sub",
            "name",
            "given_name",
            "family_name",
            "birthdate",
            "acr",
            PERSONAL_IDENTITY_NUMBER_CLAIM,
            COORDINATION_NUMBER_CLAIM,
        ],
    }


def signing_key(stored: ProviderKey) -> RSAKey:
    key = RSAKey.import_key(stored.private_key_pem)
    key.ensure_kid()
    return key


def jwks(stored: ProviderKey) -> dict[str, Any]:
    key = signing_key(stored)
    public = key.as_dict(private=False)
    public.update({"kid": stored.key_id, "use": "sig", "alg": "RS256"})
    return {"keys": [public]}


def client_is_valid(client_id: str, client_secret: str) -> bool:
    """The installation itself, or a client an integrator registered."""
    if client_id == TEST_CLIENT_ID:
        return hmac.compare_digest(client_secret.encode(), test_client_secret().encode())
    registered = queries.test_client(client_id)
    return registered is not None and hmac.compare_digest(
        registered.secret_hash, token_hash(client_secret)
    )


def redirect_uri_is_registered(client_id: str, redirect_uri: str, issuer: str) -> bool:
    """Exactly a registered address: for the installation itself, its own callback at an
    address it answers to (its public one, or another name in DIGIGOV_ALLOWED_HOSTS)."""
    if client_id == TEST_CLIENT_ID:
        parts = urlsplit(redirect_uri)
        ours = redirect_uri.startswith(issuer.split("/test-eid")[0] + "/") or (
            parts.hostname is not None
            and validate_host(parts.hostname, settings.ALLOWED_HOSTS)
            and "*" not in settings.ALLOWED_HOSTS
        )
        return ours and parts.path == "/eid/callback/test" and not parts.query
    registered = queries.test_client(client_id)
    return registered is not None and redirect_uri in registered.redirect_uris


def acceptable_redirect_uri(uri: str) -> bool:
    """RFC 6749 3.1.2: absolute, no fragment; http(s) only, for a test provider."""
    parts = urlsplit(uri)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not parts.fragment


def pkce_matches(code_verifier: str, code_challenge: str) -> bool:
    if not (43 <= len(code_verifier) <= 128):
        return False
    return hmac.compare_digest(create_s256_code_challenge(code_verifier), code_challenge)


def subject_for(personal_identity_number: str) -> str:
    """A pairwise, opaque subject, as real providers give."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), personal_identity_number.encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def claims_for(person: TestPerson, birth_date: str, kind: str, acr: str) -> dict[str, Any]:
    number_claim = (
        COORDINATION_NUMBER_CLAIM if kind == "samordningsnummer" else PERSONAL_IDENTITY_NUMBER_CLAIM
    )
    return {
        "sub": subject_for(person.personal_identity_number),
        number_claim: person.personal_identity_number,
        "given_name": person.given_name,
        "family_name": person.surname,
        "name": f"{person.given_name} {person.surname}",
        "birthdate": birth_date,
        "acr": acr,
    }


def released(claims: dict[str, Any], scope: str) -> dict[str, Any]:
    """Only what the scopes asked for (OIDC Sweden's claims and scopes): the identity
    number with naturalPersonNumber, names and birth date with profile or naturalPersonInfo."""
    scopes = set(scope.split())
    allowed = {"sub", "acr"}
    if NUMBER_SCOPE in scopes:
        allowed |= {PERSONAL_IDENTITY_NUMBER_CLAIM, COORDINATION_NUMBER_CLAIM}
    if scopes & {"profile", INFO_SCOPE}:
        allowed |= {"name", "given_name", "family_name", "birthdate"}
    return {name: value for name, value in claims.items() if name in allowed}


def id_token(
    stored: ProviderKey,
    *,
    issuer: str,
    client_id: str,
    claims: dict[str, Any],
    nonce: str,
    now: int,
) -> str:
    payload = {
        **claims,
        "iss": issuer,
        "aud": client_id,
        "iat": now,
        "auth_time": now,
        "exp": now + ID_TOKEN_SECONDS,
    }
    if nonce:  # OIDC Core 2: present only when the client sent one
        payload["nonce"] = nonce
    header = {"alg": "RS256", "kid": stored.key_id, "typ": "JWT"}
    return jwt.encode(header, payload, signing_key(stored))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
