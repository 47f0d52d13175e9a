"""The resident's signed-in session: what is kept, and when it runs out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from digigov.core import clock
from digigov.identity.models import Resident

SESSION_KEY = "resident"
# Idle time after which a resident must sign in again; the cookie itself ends
# with the browser or after SESSION_COOKIE_AGE.
IDLE_LIMIT = dt.timedelta(minutes=30)
_TOUCH_INTERVAL = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class ResidentSession:
    resident: Resident
    loa: str
    provider: str
    signed_in_at: dt.datetime


def start(request: HttpRequest, resident: Resident, *, loa: str, provider: str) -> None:
    # A new session key at every sign-in: a key planted before sign-in is worthless after.
    request.session.cycle_key()
    now = clock.now().isoformat()
    request.session[SESSION_KEY] = {
        "id": resident.pk,
        "loa": loa,
        "provider": provider,
        "signed_in_at": now,
        "last_seen": now,
    }


def end(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def load(request: HttpRequest) -> tuple[ResidentSession | None, bool]:
    """The signed-in resident, and whether a sign-in just ran out."""
    data: dict[str, Any] | None = request.session.get(SESSION_KEY)
    if not data:
        return None, False
    now = clock.now()
    last_seen = dt.datetime.fromisoformat(data["last_seen"])
    resident = Resident.objects.filter(pk=data["id"]).first()
    if resident is None or now - last_seen > IDLE_LIMIT:
        request.session.pop(SESSION_KEY, None)
        return None, True
    if now - last_seen > _TOUCH_INTERVAL:
        data["last_seen"] = now.isoformat()
        request.session[SESSION_KEY] = data
    return (
        ResidentSession(
            resident=resident,
            loa=data["loa"],
            provider=data["provider"],
            signed_in_at=dt.datetime.fromisoformat(data["signed_in_at"]),
        ),
        False,
    )
