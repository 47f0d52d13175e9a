"""A staff member's signed-in session: it ends after DIGIGOV_STAFF_IDLE_MINUTES without a
request, and as soon as a role it was signed in with is taken away."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from digigov.core import clock
from digigov.identity import queries

SESSION_KEY = "staff"
_TOUCH_INTERVAL = dt.timedelta(minutes=1)


def start(request: HttpRequest, user: AbstractBaseUser) -> None:
    now = clock.now().isoformat()
    request.session[SESSION_KEY] = {"seen": now, "roles": queries.roles_of(user)}


def ended(request: HttpRequest, user: AbstractBaseUser) -> str:
    """Why this session must end now ("idle", "roles"), or ""."""
    data: dict[str, Any] | None = request.session.get(SESSION_KEY)
    if data is None:  # signed in before these were kept: start keeping them
        start(request, user)
        return ""
    now = clock.now()
    seen = dt.datetime.fromisoformat(data["seen"])
    if now - seen > dt.timedelta(minutes=settings.STAFF_IDLE_MINUTES):
        return "idle"
    if not set(data["roles"]) <= set(queries.roles_of(user)):
        return "roles"
    if now - seen > _TOUCH_INTERVAL:
        data["seen"] = now.isoformat()
        request.session[SESSION_KEY] = data
    return ""
