"""The data tracker: who has read the signed-in person's data, when and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from digigov.core import queries as core_queries
from digigov.identity.models import StaffMembership
from digigov.registers import queries as register_queries
from digigov.web.views import resident_required

SHOWN = 200
REGISTERS = {
    "population": gettext_lazy("Folkbokföringen"),
    "property": gettext_lazy("Fastighetsregistret"),
    "company": gettext_lazy("Näringslivsregistret"),
}


@dataclass(frozen=True)
class Access:
    when: datetime
    who: str  # the organisation
    how: str  # over the exchange (a register), or in case handling (a role)
    what: str
    why: str


@require_safe
@resident_required
def tracker(request: HttpRequest) -> HttpResponse:
    person = request.resident.personal_identity_number  # type: ignore[attr-defined]
    roles = dict(StaffMembership.Role.choices)
    accesses = [
        Access(
            record.accessed_at,
            record.client_name or record.client,
            _("Via datautbytet"),
            str(REGISTERS.get(record.register, record.register)),
            record.purpose,
        )
        for record in register_queries.accesses_to(person)[:SHOWN]
    ] + [
        Access(
            record.accessed_at,
            record.organisation.name,
            str(roles.get(record.actor_role, record.actor_role or _("Systemet"))),
            _("Ärende %(number)s") % {"number": record.object_id},
            record.purpose,
        )
        for record in core_queries.accesses_to(person)[:SHOWN]
    ]
    accesses.sort(key=lambda access: access.when, reverse=True)
    return render(request, "web/tracker.html", {"accesses": accesses[:SHOWN]})
