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

__all__ = [
    "add_attachment",
    "event_type",
    "next_registrar_number",
    "remove_attachment",
    "save_answers",
    "start_application",
    "submit_application",
]
