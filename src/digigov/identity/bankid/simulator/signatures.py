"""A signature as the simulator and its virtual app would make it, without the round trip:
for the demo's loaded data and the tests' setup. The evidence is the simulator's own
(signature XML and OCSP response from its test CA), and it is kept through the same
action and checks as any signature."""

from __future__ import annotations

import base64
import uuid

from digigov.identity import actions
from digigov.identity.bankid.simulator import evidence, rules
from digigov.identity.models import Signature
from digigov.identity.signing import ToSign

DEVICE = "192.0.2.1"


def sign_here(to_sign: ToSign, number: str, purpose: str) -> Signature:
    person = rules.person(number)
    given, surname = (person.given_name, person.surname) if person else ("Test", "Testsson")
    name = f"{given} {surname}"
    order_ref = str(uuid.uuid4())
    signature, ocsp = evidence.complete(
        order_ref=order_ref,
        visible=to_sign.text,
        non_visible=base64.b64encode(to_sign.unseen).decode(),
        number=number,
        name=name,
        device_ip=DEVICE,
    )
    completion = {
        "user": {"personalNumber": number, "name": name, "givenName": given, "surname": surname},
        "device": {"ipAddress": DEVICE, "uhi": rules.device_id(number)},
        "bankIdIssueDate": rules.issue_date(number),
        "signature": signature,
        "ocspResponse": ocsp,
    }
    return actions.record_signature(
        purpose=purpose, expected=to_sign, signer=number, completion=completion, order_ref=order_ref
    )
