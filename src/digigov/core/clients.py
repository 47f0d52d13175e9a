"""Who is calling: the client's address, also behind the reverse proxies in front.

Each proxy appends the address it was called from to X-Forwarded-For; with
DIGIGOV_PROXY_COUNT proxies in front, the client is the entry that many places
from the end (what the first proxy saw). Entries further left are the
client's own to write, so they are never believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def address(request: HttpRequest) -> str:
    """The client's IP address ("unknown" when there is none to be had)."""
    direct = _valid(request.META.get("REMOTE_ADDR", "")) or "unknown"
    count = settings.PROXY_COUNT
    if count <= 0:
        return direct
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return direct  # not through all our proxies: the one who connected is who we know
    return _valid(forwarded[-count]) or direct
