"""Mina ärenden: the signed-in person's cases at every organisation, on one page."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from digigov.identity import loa
from digigov.mycases import hub, spec
from digigov.web.views import resident_required


@require_safe
@resident_required
def my_cases(request: HttpRequest) -> HttpResponse:
    person = request.resident.personal_identity_number  # type: ignore[attr-defined]
    question = spec.Request(
        fraga=spec.Fraga(
            parter=[spec.Part(kund=spec.Kund(identifierare=person, typ="Personnummer"))]
        ),
        anvandare=person,
    )
    language = "en" if get_language() == "en" else "sv"
    signed_in_at = request.resident.loa  # type: ignore[attr-defined]
    context: dict[str, object] = {"unavailable": False, "failed": []}
    if not loa.satisfies(signed_in_at, loa.LOA3):
        # cases of services needing more are not listed: offer to sign in again
        context["step_up"] = urlencode({"next": request.get_full_path(), "loa": loa.LOA3})
    try:
        answer = hub.ask(
            question,
            language=language,
            correlation_id=str(uuid.uuid4()),
            asker="portal",
            loa=signed_in_at,
        )
    except hub.HubUnavailable:
        context["unavailable"] = True
        lines: list[hub.CaseLine] = []
    else:
        lines = hub.cases_of(answer)
        context["failed"] = answer.failed
    context["act"] = [line for line in lines if line.must_act]
    context["ongoing"] = [line for line in lines if not line.must_act and not line.finished]
    context["finished"] = [line for line in lines if line.finished and not line.must_act]
    return render(request, "web/my_cases.html", context)
