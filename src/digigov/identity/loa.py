"""Levels of assurance as Sweden Connect and eIDAS URIs (Registry for identifiers 3.1.1)."""

from __future__ import annotations

LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"
EIDAS_LOW = "http://eidas.europa.eu/LoA/low"
EIDAS_SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
EIDAS_HIGH = "http://eidas.europa.eu/LoA/high"

# Swedish levels beside their eIDAS counterparts: loa2 ~ low, loa3 ~ substantial, loa4 ~ high.
LEVELS: dict[str, int] = {
    LOA2: 2,
    EIDAS_LOW: 2,
    LOA3: 3,
    EIDAS_SUBSTANTIAL: 3,
    LOA4: 4,
    EIDAS_HIGH: 4,
}

LABELS: dict[str, str] = {
    LOA2: "Tillitsnivå 2 / LoA 2",
    LOA3: "Tillitsnivå 3 / LoA 3",
    LOA4: "Tillitsnivå 4 / LoA 4",
    EIDAS_LOW: "eIDAS low",
    EIDAS_SUBSTANTIAL: "eIDAS substantial",
    EIDAS_HIGH: "eIDAS high",
}


def level(uri: str) -> int:
    """The numeric level of a LoA URI; 0 for one we do not know."""
    return LEVELS.get(uri, 0)


def satisfies(actual: str, required: str) -> bool:
    return level(actual) >= level(required) > 0
