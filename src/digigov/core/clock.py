"""The platform's clock. Code asks here for the time so tests can travel in it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def local_date(moment: dt.datetime) -> dt.date:
    """The day a moment falls on in Sweden (the project's time zone)."""
    return timezone.localdate(moment)
