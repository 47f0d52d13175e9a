"""State changes owned by identity: sign-in, staff accounts, the test provider's codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.identifiers import parse_person_identifier
from digigov.core.models import Organisation
from digigov.core.transactions import action, outermost
from digigov.identity import builtin_eid, oidc, signing
from digigov.identity.models import (
    AccessToken,
    ApiCredential,
    AuthorizationCode,
    FailedStaffSignIn,
    ProviderKey,
    Resident,
    Signature,
    SignIn,
    StaffMembership,
    StaffSignInAddress,
    TestClient,
)
from digigov.identity.port import Identity
from digigov.identity.signing import ToSign


class ProviderError(Exception):
    """An OAuth 2.0 error the test provider answers with (RFC 6749 5.2)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


# -- residents --------------------------------------------------------------


@action
def sign_in(identity: Identity) -> SignIn:
    """Record that a person signed in with e-ID, creating them on first sign-in, and keep
    the evidence the e-ID gave with the sign-in."""
    number = parse_person_identifier(identity.personal_identity_number).value
    now = clock.now()
    resident, created = Resident.objects.select_for_update().get_or_create(
        personal_identity_number=number,
        defaults={
            "given_name": identity.given_name,
            "surname": identity.surname,
            "display_name": identity.display_name,
            "first_signed_in_at": now,
            "last_signed_in_at": now,
        },
    )
    if not created:
        resident.given_name = identity.given_name
        resident.surname = identity.surname
        resident.display_name = identity.display_name
        resident.last_signed_in_at = now
        resident.save()
    evidence = dict(identity.evidence)
    digest = hashlib.sha256(
        json.dumps(evidence, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    signed_in = SignIn.objects.create(
        resident=resident,
        provider=identity.provider,
        method=identity.method,
        loa=identity.loa,
        signed_in_at=now,
        evidence=evidence,
        evidence_digest=digest,
    )
    # Housekeeping rides on sign-ins, so no scheduler is needed for it.
    transaction.on_commit(_enqueue_purge)
    audit.record(
        actor=Actor.person(number),
        action="resident.signed_in",
        object_type="resident",
        object_id=resident.pk,
        purpose="Inloggning med e-legitimation",
        data={
            "provider": identity.provider,
            "method": identity.method,
            "loa": identity.loa,
            "sign_in": signed_in.pk,
            "evidence": digest,
        },
    )
    return signed_in


def sign_in_resident(identity: Identity) -> Resident:
    """`sign_in`, for a caller that needs only the resident."""
    return sign_in(identity).resident


def _enqueue_purge() -> None:
    from digigov.identity.tasks import purge_expired_provider_state

    purge_expired_provider_state.enqueue()


@action
def sign_out_resident(resident: Resident) -> None:
    audit.record(
        actor=Actor.person(resident.personal_identity_number),
        action="resident.signed_out",
        object_type="resident",
        object_id=resident.pk,
    )


# -- staff ------------------------------------------------------------------


@action
def save_staff_account(
    *,
    actor: Actor,
    username: str,
    password: str,
    first_name: str,
    last_name: str,
    roles: list[tuple[Organisation, str]],
    superuser: bool | None = None,
) -> AbstractBaseUser:
    """Create or update a staff account and set its roles exactly. Idempotent.

    A service administrator may use the admin for their organisations (is_staff);
    `superuser` makes the operator's account (None keeps what the account has). The
    account's creation, a new password and a change of superuser each leave an audit
    row (never the password).
    """
    for _organisation, role in roles:
        if role not in StaffMembership.Role.values:
            raise ValueError(f"unknown role {role!r}")
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    changed: dict[str, Any] = {}
    if created or not user.check_password(password):
        user.set_password(password)
        changed["new_password"] = True
    if superuser is not None and user.is_superuser != superuser:
        user.is_superuser = superuser
        changed["superuser"] = superuser
    user.first_name, user.last_name = first_name, last_name
    user.is_staff = user.is_superuser or any(
        role == StaffMembership.Role.ADMINISTRATOR for _organisation, role in roles
    )
    user.save()
    if created or changed:
        audit.record(
            actor=actor,
            action="staff.account_created" if created else "staff.account_changed",
            object_type="user",
            object_id=user.pk,
            data={"username": username, **changed},
        )
    wanted = {(organisation.pk, role): organisation for organisation, role in roles}
    current = {
        (m.organisation_id, m.role): m for m in user.memberships.select_related("organisation")
    }
    for key, membership in current.items():
        if key not in wanted:
            membership.delete()
            _audit_role(actor, "staff.role_revoked", membership.organisation, user, membership.role)
    for (_pk, role), organisation in wanted.items():
        if (organisation.pk, role) not in current:
            StaffMembership.objects.create(user=user, organisation=organisation, role=role)
            _audit_role(actor, "staff.role_granted", organisation, user, role)
    return user


def _audit_role(
    actor: Actor, action: str, organisation: Organisation, user: AbstractBaseUser, role: str
) -> None:
    audit.record(
        actor=actor,
        action=action,
        organisation=organisation,
        object_type="user",
        object_id=user.pk,
        data={"username": user.get_username(), "role": role},
    )


@action
def record_failed_staff_sign_in(*, username: str, client_address: str) -> None:
    FailedStaffSignIn.objects.create(
        username=username[:150], client_address=client_address, attempted_at=clock.now()
    )
    audit.record(
        actor=Actor.system("staff-sign-in"),
        action="staff.sign_in_failed",
        data={"username": username[:150], "client_address": client_address},
    )


@action
def sign_in_staff(*, user: AbstractBaseUser, client_address: str) -> None:
    """A staff member signed in: their failed attempts from this address are forgotten, the
    address and time kept.
    (Django's own last_login receiver is off: this action writes it; identity.apps.)"""
    username = user.get_username()
    now = clock.now()
    FailedStaffSignIn.objects.filter(username=username, client_address=client_address).delete()
    StaffSignInAddress.objects.update_or_create(
        username=username, client_address=client_address, defaults={"last_signed_in_at": now}
    )
    user.last_login = now
    user.save(update_fields=["last_login"])
    audit.record(
        actor=Actor.staff(username),
        action="staff.signed_in",
        object_type="user",
        object_id=user.pk,
        data={"client_address": client_address},
    )


# -- the test e-ID provider -------------------------------------------------


def ensure_provider_key() -> ProviderKey:
    existing = ProviderKey.objects.filter(key_id=builtin_eid.KEY_ID).first()
    if existing is not None:
        return existing
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
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


# -- API credentials for organisations' own systems -------------------------------

API_KEY_PREFIX = "dg"


@action
def create_api_credential(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    role: str,
    services: list[str] | None = None,
    secret_cases: bool = False,
) -> tuple[ApiCredential, str]:
    """A new credential and its key, which is shown this once and never stored. It reads
    the cases of `services` (codes; every service when none) and secret cases only with
    `secret_cases`."""
    unknown = sorted(set(scopes) - set(ApiCredential.Scope.values))
    if not scopes or unknown:
        raise ValidationError(
            f"scopes must be among {', '.join(ApiCredential.Scope.values)}", code="scopes"
        )
    if role not in StaffMembership.Role.values:
        raise ValidationError(f"role must be one of {', '.join(StaffMembership.Role.values)}")
    if not name.strip():
        raise ValidationError("a credential needs a name", code="name")
    codes = sorted({code.strip().upper() for code in services or [] if code.strip()})
    if any(not re.fullmatch(r"[A-Z0-9_]{1,32}", code) for code in codes):
        raise ValidationError("services are service codes, such as BYGGLOV", code="services")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    credential = ApiCredential.objects.create(
        organisation=organisation,
        name=name.strip()[:100],
        key_id=key_id,
        secret_hash=hashlib.sha256(secret.encode()).hexdigest(),
        scopes=sorted(set(scopes)),
        role=role,
        services=codes,
        secret_cases=secret_cases,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="api_credential.created",
        organisation=organisation,
        object_type="api_credential",
        object_id=key_id,
        data={
            "name": credential.name,
            "scopes": credential.scopes,
            "role": role,
            "services": codes,
            "secret_cases": secret_cases,
        },
    )
    return credential, f"{API_KEY_PREFIX}_{key_id}_{secret}"


@action
def revoke_api_credential(*, actor: Actor, credential: ApiCredential) -> None:
    if credential.revoked_at is not None:
        return
    credential.revoked_at = clock.now()
    credential.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action="api_credential.revoked",
        organisation=credential.organisation,
        object_type="api_credential",
        object_id=credential.key_id,
    )


# -- signatures with e-ID ---------------------------------------------------------------


def record_signature(
    *, purpose: str, expected: ToSign, signer: str, completion: dict[str, Any], order_ref: str
) -> Signature:
    """Keep a BankID signature, once it is shown to be `signer`'s over exactly `expected`
    (signing.check_bankid raises NotSigned otherwise, and nothing is kept)."""
    name = signing.check_bankid(completion, expected, signer)
    return _store_signature(purpose, expected, signer, name, completion, order_ref)


@action
def _store_signature(
    purpose: str,
    expected: ToSign,
    signer: str,
    name: str,
    completion: dict[str, Any],
    order_ref: str,
) -> Signature:
    from digigov.identity.bankid.flow import LOA

    signature = Signature.objects.create(
        purpose=purpose,
        signer=signer,
        signer_name=name,
        method="bankid",
        loa=LOA,
        text=expected.text,
        digest=expected.digest,
        evidence={"orderRef": order_ref, "completionData": completion},
        signed_at=clock.now(),
    )
    audit.record(
        actor=Actor.person(signer, name),
        action="signature.made",
        object_type="signature",
        object_id=signature.pk,
        data={"purpose": purpose, "sha256": expected.digest, "method": "bankid"},
    )
    return signature
