"""Signatures with e-ID, kept once their evidence checks out."""

from __future__ import annotations

from typing import Any

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.transactions import action
from digigov.identity import signing
from digigov.identity.models import (
    Signature,
)
from digigov.identity.signing import ToSign

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
