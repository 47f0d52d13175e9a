"""API keys for organisations' own systems."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.core.exceptions import ValidationError

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.core.transactions import action
from digigov.identity.models import (
    ApiCredential,
    StaffMembership,
)

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
