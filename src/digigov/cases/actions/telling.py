"""Telling the applicant what happens in their case: who is told (the person who filed
it) and what every case message names (the case, its service and the organisation) are
decided here, once; how they are told is the messages module's business. Called inside
the step's transaction, so a message exists exactly when what it tells of does."""

from __future__ import annotations

from typing import Any

from digigov.cases.models import Case
from digigov.core.actors import Actor
from digigov.messages import actions as messages
from digigov.services import catalogue


def tell_applicant(actor: Actor, case: Case, message_type: str, **data: Any) -> None:
    spec = catalogue.spec_of(case.service_version)
    messages.send(
        actor=actor,
        organisation=case.organisation,
        recipient=case.submitted_by,
        message_type=message_type,
        data={
            "case_number": case.registrar_number,
            "service_sv": spec.name.sv,
            "service_en": spec.name.en,
            "organisation": case.organisation.name,
            **data,
        },
        loa=spec.loa,
        case_public_id=case.public_id,
        case_number=case.registrar_number,
    )
