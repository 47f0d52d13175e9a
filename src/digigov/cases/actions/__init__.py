"""Every state change of applications and cases. Views and the API call these;
nothing else writes the models.

- `applications`: drafts, answers, attachments, submission and opening a case;
- `case`: what every change to an open case shares (locking, revision, the
  process's steps, events, registered documents);
- `handling`: what staff do with an open case; `applicant`: the applicant's
  answers; `documents`: documents from the organisation's own systems.
"""

from digigov.cases.actions.applicant import answer_request
from digigov.cases.actions.applications import (
    add_attachment,
    event_type,
    next_registrar_number,
    remove_attachment,
    save_answers,
    start_application,
    submit_application,
)
from digigov.cases.actions.case import Refused, Staff, allowed_transitions, clock_of, staff_in
from digigov.cases.actions.documents import add_document
from digigov.cases.actions.handling import (
    assign,
    close_case,
    communicate,
    decide_case,
    decision_signer,
    decision_terms,
    extend_deadline,
    extension_refusal,
    move_case,
    record_access,
    register_answer,
    request_completion,
    take,
    terms_to_sign,
)
from digigov.cases.actions.signing import prepare_signing

__all__ = [
    "Refused",
    "Staff",
    "add_attachment",
    "add_document",
    "allowed_transitions",
    "answer_request",
    "assign",
    "clock_of",
    "close_case",
    "communicate",
    "decide_case",
    "decision_signer",
    "decision_terms",
    "event_type",
    "extend_deadline",
    "extension_refusal",
    "move_case",
    "next_registrar_number",
    "prepare_signing",
    "record_access",
    "register_answer",
    "remove_attachment",
    "request_completion",
    "save_answers",
    "staff_in",
    "start_application",
    "submit_application",
    "take",
    "terms_to_sign",
]
