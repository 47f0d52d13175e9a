"""Puts the signed-in resident on every request as ``request.resident``."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from digigov.identity import session


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
