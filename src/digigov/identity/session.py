"""The resident's signed-in session: what is kept, and when it runs out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from digigov.core import clock
from digigov.identity.models import Resident, SignIn

SESSION_KEY = "resident"
# Idle time after which a resident must sign in again; the cookie itself ends
# with the browser or after SESSION_COOKIE_AGE.
IDLE_LIMIT = dt.timedelta(minutes=30)
_TOUCH_INTERVAL = dt.timedelta(minutes=1)


@dataclass
class ResidentSession:
    """Who is signed in. The number and name come from the session itself, so a
    request that only needs them costs no query; the full record loads on use."""

    resident_id: int
    personal_identity_number: str
    display_name: str
    loa: str
    provider: str
    signed_in_at: dt.datetime
    sign_in_id: int | None = None  # the SignIn with the e-ID's evidence
    _resident: Resident | None = None

    @property
    def resident(self) -> Resident:
        if self._resident is None:
            self._resident = Resident.objects.get(pk=self.resident_id)
        return self._resident


def start(request: HttpRequest, signed_in: SignIn) -> None:
    # A new session key at every sign-in: a key planted before sign-in is worthless after.
    request.session.cycle_key()
    now = clock.now().isoformat()
    resident = signed_in.resident
    request.session[SESSION_KEY] = {
        "id": resident.pk,
        "number": resident.personal_identity_number,
        "name": resident.display_name,
        "loa": signed_in.loa,
        "provider": signed_in.provider,
        "sign_in": signed_in.pk,  # the evidence of this sign-in
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
    if now - last_seen > IDLE_LIMIT or "number" not in data:
        request.session.pop(SESSION_KEY, None)
        return None, True
    if now - last_seen > _TOUCH_INTERVAL:
        data["last_seen"] = now.isoformat()
        request.session[SESSION_KEY] = data
    return (
        ResidentSession(
            resident_id=data["id"],
            personal_identity_number=data["number"],
            display_name=data["name"],
            loa=data["loa"],
            provider=data["provider"],
            signed_in_at=dt.datetime.fromisoformat(data["signed_in_at"]),
            sign_in_id=data.get("sign_in"),
        ),
        False,
    )
