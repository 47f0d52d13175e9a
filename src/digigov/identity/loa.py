"""Levels of assurance as Sweden Connect and eIDAS URIs (Registry for identifiers 3.1.1).

Every URI a Swedish provider may send as `acr` (OIDC) or AuthnContextClassRef
(SAML) is here with its level, so a sign-in through the eIDAS connector, a
self-declared provider or a non-resident's e-ID is understood, not refused.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"
EIDAS_LOW = "http://eidas.europa.eu/LoA/low"
EIDAS_SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
EIDAS_HIGH = "http://eidas.europa.eu/LoA/high"

_SWEDISH = "http://id.elegnamnden.se/loa/1.0/"
_SWEDEN_CONNECT = "http://id.swedenconnect.se/loa/1.0/"
_EIDAS = "http://eidas.europa.eu/"


def _family(prefix: str, *names: str) -> dict[str, int]:
    """URIs for levels 2, 3 and 4, in that order."""
    return {f"{prefix}{name}": number for name, number in zip(names, (2, 3, 4), strict=False)}


# Swedish levels beside their eIDAS counterparts: loa2 ~ low, loa3 ~ substantial, loa4 ~ high.
LEVELS: dict[str, int] = {
    **_family(_SWEDISH, "loa2", "loa3", "loa4"),
    # the Swedish eIDAS connector's own, for notified schemes or any (Registry 3.1.1)
    **_family(f"{_SWEDISH}eidas-", "low", "sub", "high"),
    **_family(f"{_SWEDISH}eidas-nf-", "low", "sub", "high"),
    # the EU Commission's
    **_family(f"{_EIDAS}LoA/", "low", "substantial", "high"),
    **_family(f"{_EIDAS}NotNotified/LoA/", "low", "substantial", "high"),
    # certified providers, for a holder with no Swedish identity number (3.1.1.1)
    **_family(_SWEDEN_CONNECT, "loa2-nonresident", "loa3-nonresident", "loa4-nonresident"),
    # self-declared providers, not reviewed by Digg (3.1.1.2)
    **_family(f"{_SWEDEN_CONNECT}uncertified-", "loa2", "loa3"),
    **_family(f"{_SWEDEN_CONNECT}uncertified-eidas-", "low", "sub", "high"),
}


# Levels no one has reviewed: self-declared providers and eIDAS schemes not notified.
# They are understood (a sign-in works) but meet only a requirement for such a level.
UNREVIEWED = frozenset(
    uri
    for uri in LEVELS
    if uri.startswith((f"{_SWEDEN_CONNECT}uncertified-", f"{_EIDAS}NotNotified/"))
)


def level(uri: str) -> int:
    """The numeric level of a LoA URI; 0 for one we do not know."""
    return LEVELS.get(uri, 0)


def label(uri: str) -> str:
    """What a person is shown for a level, in their language."""
    number = level(uri)
    if not number:
        return uri
    if uri in UNREVIEWED:
        return _("Tillitsnivå %(level)d, ej granskad") % {"level": number}
    return _("Tillitsnivå %(level)d") % {"level": number}


def satisfies(actual: str, required: str) -> bool:
    """Does a sign-in at `actual` meet a service's `required` level? An unreviewed level
    meets only an unreviewed requirement, however high its number."""
    if actual in UNREVIEWED and required not in UNREVIEWED:
        return False
    return level(actual) >= level(required) > 0


# The levels a service may require (a package's `loa`).
SERVICE_LEVELS = (LOA2, LOA3, LOA4)


def met_by(actual: str) -> list[str]:
    """The service levels a sign-in at `actual` meets (`satisfies`, for a list in a query)."""
    return [required for required in SERVICE_LEVELS if satisfies(actual, required)]


class StepUp(Exception):
    """The person must sign in again at `required`: what they asked for needs a higher level
    of assurance than their sign-in has. Pages answer it by sending them to sign in again
    (then back), the API with a problem naming the level."""

    def __init__(self, required: str) -> None:
        super().__init__(required)
        self.required = required


def require(actual: str, required: str) -> None:
    """Raise StepUp unless a sign-in at `actual` meets `required`."""
    if not satisfies(actual, required):
        raise StepUp(required)
