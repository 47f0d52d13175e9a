"""The data tracker: who has read the signed-in person's data, when and why."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from digigov.identity.models import StaffMembership
from digigov.registers import queries as register_queries
from digigov.registers.client import REGISTER_NAMES
from digigov.web.views import resident_required

SHOWN = 200


@require_safe
@resident_required
def tracker(request: HttpRequest) -> HttpResponse:
    person = request.resident.personal_identity_number  # type: ignore[attr-defined]
    roles = {value: str(label) for value, label in StaffMembership.Role.choices}
    rows = [
        {
            "when": access.when,
            "who": access.organisation,
            "how": _how(access, roles),
            "what": str(REGISTER_NAMES.get(access.register, access.register))
            if access.over_exchange
            else _("Ärende %(number)s") % {"number": access.case},
            "why": access.purpose,
        }
        for access in register_queries.all_accesses_to(person, SHOWN)
    ]
    return render(request, "web/tracker.html", {"accesses": rows})


def _how(access: register_queries.Access, roles: dict[str, str]) -> str:
    """Over the exchange; or the staff role, with the name where the organisation names staff."""
    if access.over_exchange:
        return _("Via datautbytet")
    role = str(roles.get(access.role, access.role or _("Systemet")))
    return f"{access.person} ({role})" if access.person else role
