"""Puts the signed-in resident on every request as ``request.resident``."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from digigov.identity import loa, session, staff_session


class ResidentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        current, expired = session.load(request)
        request.resident = current  # type: ignore[attr-defined]
        request.resident_session_expired = expired  # type: ignore[attr-defined]
        if expired and not request.path.startswith("/api/"):
            messages.warning(
                request, _("Din inloggning har gått ut eftersom du varit inaktiv. Logga in igen.")
            )
        return self.get_response(request)


class StepUpMiddleware:
    """A page that needs a higher level of assurance than the sign-in has (loa.StepUp) sends
    the person to sign in again at that level, and back to where they were."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, loa.StepUp) or request.path.startswith("/api/"):
            return None
        back = (
            request.get_full_path()
            if request.method in ("GET", "HEAD")
            else request.headers.get("Referer", "")
        )
        query = urlencode({"next": back, "loa": exception.required})
        return redirect(f"{reverse('identity:sign-in')}?{query}")


class StaffSessionMiddleware:
    """Ends a staff session that has been idle too long, or whose roles were taken away
    (identity.staff_session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            why = staff_session.ended(request, user)
            if why:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.warning(
                        request,
                        _("Du har loggats ut eftersom du varit inaktiv. Logga in igen.")
                        if why == "idle"
                        else _("Du har loggats ut eftersom dina behörigheter har ändrats."),
                    )
        return self.get_response(request)
