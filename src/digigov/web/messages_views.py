"""The person's inbox on Mina sidor: every message an organisation sent them, unread first;
opening one is its read receipt."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from digigov.messages import actions as message_actions
from digigov.messages import queries as message_queries
from digigov.web.views import resident, resident_loa, resident_required

PAGE = 100


@require_safe
@resident_required
def inbox(request: HttpRequest) -> HttpResponse:
    me, loa = resident(request).identifier, resident_loa(request)
    needed = message_queries.needed(me, loa)
    step_up = urlencode({"next": request.get_full_path(), "loa": needed}) if needed else ""
    context = {"messages_in": message_queries.inbox_of(me, loa)[:PAGE], "step_up": step_up}
    return render(request, "web/inbox.html", context)


@require_safe
@never_cache
@resident_required
def message(request: HttpRequest, public_id: str) -> HttpResponse:
    found = message_queries.message_for(
        resident(request).identifier, public_id, resident_loa(request)
    )
    if found is None:
        raise Http404
    message_actions.mark_read(actor=resident(request), message=found)
    return render(request, "web/message.html", {"message": found})
