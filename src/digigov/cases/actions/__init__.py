"""Every state change of applications and cases. Views and the API call these;
nothing else writes the models.

- `applications`: drafts, answers, attachments, submission and opening a case;
- `handling`: what staff and the applicant do with a case afterwards.
"""

from digigov.cases.actions.applications import (
    add_attachment,
    event_type,
    next_registrar_number,
    remove_attachment,
    save_answers,
    start_application,
    submit_application,
)
from digigov.cases.actions.handling import (
    Refused,
    Staff,
    add_document,
    allowed_transitions,
    answer_request,
    assign,
    clock_of,
    extend_deadline,
    extension_refusal,
    record_access,
    staff_in,
    take,
)

__all__ = [
    "Refused",
    "Staff",
    "add_attachment",
    "add_document",
    "allowed_transitions",
    "answer_request",
    "assign",
    "clock_of",
    "event_type",
    "extend_deadline",
    "extension_refusal",
    "next_registrar_number",
    "record_access",
    "remove_attachment",
    "save_answers",
    "staff_in",
    "start_application",
    "submit_application",
    "take",
]
