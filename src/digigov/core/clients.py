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
        # without an IPv6 zone ("fe80::1%eth0"): a client could write any
        return str(ipaddress.ip_address(text.strip().split("%", 1)[0]))
    except ValueError:
        return None


def address(request: HttpRequest) -> str:
    """The client's IP address ("unknown" when there is none to be had)."""
    direct = _valid(request.META.get("REMOTE_ADDR", "")) or "unknown"
    count = settings.PROXY_COUNT
    if count <= 0:
        return direct
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < count:
        return direct  # not through all our proxies: the one who connected is who we know
    return _valid(forwarded[-count]) or direct


def throttle_key(address: str) -> str:
    """The address as throttles count it: an IPv6 client holds a whole /64, so it is one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:45]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
