"""The test e-ID provider's state: its key, codes, tokens and registered clients."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from digigov.core import audit, clock, pki
from digigov.core.actors import Actor
from digigov.core.transactions import action, outermost
from digigov.identity import builtin_eid, oidc
from digigov.identity.models import (
    AccessToken,
    AuthorizationCode,
    FailedStaffSignIn,
    ProviderKey,
    TestClient,
)


class ProviderError(Exception):
    """An OAuth 2.0 error the test provider answers with (RFC 6749 5.2)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


# -- the test e-ID provider -------------------------------------------------


def ensure_provider_key() -> ProviderKey:
    existing = ProviderKey.objects.filter(key_id=builtin_eid.KEY_ID).first()
    if existing is not None:
        return existing
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = pki.private_pem(private).decode()
    try:
        with outermost():
            return ProviderKey.objects.create(key_id=builtin_eid.KEY_ID, private_key_pem=pem)
    except IntegrityError:  # another process made it first
        return ProviderKey.objects.get(key_id=builtin_eid.KEY_ID)


@action
def issue_authorization_code(
    *,
    client_id: str,
    redirect_uri: str,
    code_challenge: str,
    nonce: str,
    scope: str,
    claims: dict[str, Any],
) -> str:
    code = secrets.token_urlsafe(32)
    AuthorizationCode.objects.create(
        code_hash=builtin_eid.token_hash(code),
        client_id=client_id,
        redirect_uri=redirect_uri,
        code_challenge=code_challenge,
        nonce=nonce,
        scope=scope,
        claims=claims,
        expires_at=clock.now() + dt.timedelta(seconds=builtin_eid.CODE_SECONDS),
    )
    return code


@dataclass(frozen=True)
class Redeemed:
    claims: dict[str, Any]
    nonce: str
    scope: str
    access_token: str


def redeem_authorization_code(
    *, code: str, client_id: str, redirect_uri: str, code_verifier: str
) -> Redeemed:
    """Redeem a code once, for an access token (RFC 6749 4.1.2). A second use is refused
    and revokes the tokens the first gave: the revocation is committed, then refused."""
    outcome = _redeem(code, client_id, redirect_uri, code_verifier)
    if isinstance(outcome, ProviderError):
        raise outcome
    return outcome


@action
def _redeem(
    code: str, client_id: str, redirect_uri: str, code_verifier: str
) -> Redeemed | ProviderError:
    now = clock.now()
    stored = (
        AuthorizationCode.objects.select_for_update()
        .filter(code_hash=builtin_eid.token_hash(code))
        .first()
    )
    if stored is None or stored.client_id != client_id:
        return ProviderError("invalid_grant", "unknown authorization code")
    if stored.redeemed_at is not None:
        AccessToken.objects.filter(authorization_code=stored).delete()
        return ProviderError("invalid_grant", "the authorization code has already been used")
    if stored.expires_at < now:
        return ProviderError("invalid_grant", "the authorization code has expired")
    if stored.redirect_uri != redirect_uri:
        return ProviderError("invalid_grant", "redirect_uri does not match the authorization")
    if not builtin_eid.pkce_matches(code_verifier, stored.code_challenge):
        return ProviderError("invalid_grant", "code_verifier does not match the code_challenge")
    stored.redeemed_at = now
    stored.save(update_fields=["redeemed_at"])
    token = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        token_hash=builtin_eid.token_hash(token),
        authorization_code=stored,
        claims=stored.claims,
        expires_at=now + dt.timedelta(seconds=builtin_eid.ACCESS_TOKEN_SECONDS),
    )
    return Redeemed(stored.claims, stored.nonce, stored.scope, token)


@action
def register_test_client(
    *, actor: Actor, name: str, redirect_uris: list[str], client_id: str = ""
) -> tuple[TestClient, str]:
    """Register an integrator's relying party with the test e-ID provider: the client and
    its secret, which is shown this once and kept only as a hash."""
    for uri in redirect_uris:
        if not builtin_eid.acceptable_redirect_uri(uri):
            raise ValidationError(
                f"{uri!r} is not a redirect URI: an absolute http(s) address without a fragment",
                code="redirect_uri",
            )
    if not redirect_uris:
        raise ValidationError("give at least one redirect URI", code="redirect_uri")
    client_id = client_id or f"test-{secrets.token_hex(8)}"
    if client_id == oidc.TEST_CLIENT_ID or TestClient.objects.filter(client_id=client_id).exists():
        raise ValidationError(f"the client id {client_id!r} is taken", code="client_id")
    secret = secrets.token_urlsafe(32)
    client = TestClient.objects.create(
        client_id=client_id,
        name=name,
        secret_hash=builtin_eid.token_hash(secret),
        redirect_uris=redirect_uris,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="test_eid.client_registered",
        object_type="test_eid_client",
        object_id=client_id,
        data={"name": name, "redirect_uris": redirect_uris},
    )
    return client, secret


@action
def remove_test_client(*, actor: Actor, client: TestClient) -> None:
    client_id = client.client_id
    client.delete()
    audit.record(
        actor=actor,
        action="test_eid.client_removed",
        object_type="test_eid_client",
        object_id=client_id,
    )


@action
def purge_expired_provider_state() -> int:
    """Delete the test provider's expired codes and tokens; run by a background job."""
    cutoff = clock.now() - dt.timedelta(hours=1)
    codes, _ = AuthorizationCode.objects.filter(expires_at__lt=cutoff).delete()
    tokens, _ = AccessToken.objects.filter(expires_at__lt=cutoff).delete()
    failures, _ = FailedStaffSignIn.objects.filter(attempted_at__lt=cutoff).delete()
    return codes + tokens + failures
