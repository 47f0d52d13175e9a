"""The portal's and the workspace's pages. Thin: they ask the modules' queries."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from digigov.cases import queries as case_queries
from digigov.cases import signing
from digigov.core import queries as core_queries
from digigov.core.actors import Actor
from digigov.identity import loa
from digigov.messages import queries as message_queries
from digigov.services import queries as service_queries

View = Callable[..., HttpResponseBase]


def resident(request: HttpRequest) -> Actor:
    """The signed-in person, as the actor of what they do."""
    current = request.resident  # type: ignore[attr-defined]
    return Actor.person(current.personal_identity_number, current.display_name)


def resident_loa(request: HttpRequest) -> str:
    """The level of assurance the person signed in at (what they may open depends on it)."""
    return str(request.resident.loa)  # type: ignore[attr-defined]


def resident_required(view: View) -> View:
    """Send a person who is not signed in (or whose sign-in ran out) to sign in first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.resident is None:  # type: ignore[attr-defined]
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('identity:sign-in')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"organisations": core_queries.organisations()})


@require_safe
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    found = core_queries.organisation_by_slug(slug)
    if found is None:
        raise Http404
    context = {"organisation": found, "services": service_queries.current_services(found)}
    return render(request, "web/organisation.html", context)


@require_safe
@resident_required
def my_pages(request: HttpRequest) -> HttpResponse:
    current = request.resident  # type: ignore[attr-defined]
    number = current.personal_identity_number
    shown = case_queries.within(current.loa)
    drafts, cases = case_queries.drafts_of(number), case_queries.cases_of(number)
    to_sign = case_queries.awaiting_signature_of(number)
    # what needs a higher level is not listed: sign in again to see it
    needed = case_queries.needed(current.loa, drafts, cases, to_sign)
    context = {
        "person": current.resident,
        "loa_label": loa.label(current.loa),
        "session": current,
        "drafts": drafts.filter(shown),
        "to_sign": signing.waiting_for(number, to_sign.filter(shown)),
        "cases": cases.filter(shown)[:100],
        "unread": message_queries.unread_count(number, current.loa),
        "step_up": urlencode({"next": request.get_full_path(), "loa": needed}) if needed else "",
    }
    return render(request, "web/my_pages.html", context)


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")
