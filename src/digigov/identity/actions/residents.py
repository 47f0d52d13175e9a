"""Residents signing in with e-ID and out."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.identifiers import parse_person_identifier
from digigov.core.transactions import action
from digigov.identity.models import (
    Resident,
    SignIn,
)
from digigov.identity.port import Identity

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
