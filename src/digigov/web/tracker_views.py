"""The data tracker: who has read the signed-in person's data, when and why."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from digigov.identity.models import StaffMembership
from digigov.registers import queries as register_queries
from digigov.registers.client import REGISTER_NAMES
from digigov.web.views import resident_required

PAGE = 50


@require_safe
@resident_required
def tracker(request: HttpRequest) -> HttpResponse:
    """The newest readings first, a page at a time by time (`?fore=` the last one shown),
    grouped by day on the page."""
    person = request.resident.personal_identity_number  # type: ignore[attr-defined]
    before = _before(request.GET.get("fore", ""))
    roles = {value: str(label) for value, label in StaffMembership.Role.choices}
    found = register_queries.all_accesses_to(person, PAGE + 1, before=before)
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
        for access in found[:PAGE]
    ]
    older = urlencode({"fore": found[PAGE - 1].when.isoformat()}) if len(found) > PAGE else ""
    context = {"accesses": rows, "older": older, "paged": before is not None}
    return render(request, "web/tracker.html", context)


def _before(raw: str) -> dt.datetime | None:
    """A page's key; anything else is the first page."""
    try:
        found = dt.datetime.fromisoformat(raw.replace("\x00", "")[:40])
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def _how(access: register_queries.Access, roles: dict[str, str]) -> str:
    """Over the exchange; or the staff role, with the name where the organisation names staff."""
    if access.over_exchange:
        return _("Via datautbytet")
    role = str(roles.get(access.role, access.role or _("Systemet")))
    return f"{access.person} ({role})" if access.person else role
