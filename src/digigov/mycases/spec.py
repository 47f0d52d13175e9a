"""Mina ärenden's question and answer (kundhändelser, standard 6.1), as pydantic models.

The shapes follow the producer API in `shared/specs/mina-arenden/openapi.yaml`
(the request and response format of Skatteverket's vidareförmedlingstjänst):
`POST .../kundhandelseFragaSynkron` with the header `skv_client_correlation_id`.
Both the producer and the hub parse with these, and the hub checks every
producer's answer with them, so junk from a producer is caught at the door.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

VERSION = "6.1"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
CORRELATION_HEADER = "skv_client_correlation_id"
# Printable ASCII, at most 200 characters, not only spaces (the reference's pattern).
CORRELATION = re.compile(r"^(?=.*[\x21-\x7E])[\x20-\x7E]{1,200}$")
# What the hub accepts: dotted upper-case parts, at least three (the conformance check
# holds producers to the standard's letters-only prefix).
EVENT_TYPE = re.compile(r"^[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+){2,}$")
TYPE_PREFIX = r"^[A-Z]+(?:\.[A-Z0-9_.]+)?$"
SortAttribute = Literal[
    "RUBRIK",
    "BESKRIVNING",
    "PRODUCENT",
    "TIDPUNKT",
    "KUNDHANDELSETYP",
    "PRODUCENTARENDETKRAVERKUNDATGARD",
    "PRODUCENTARENDETKLART",
]
MAX_LIMIT = 1000


class Model(BaseModel):
    # Unknown members are ignored, as a reader of a standard should; the ones we
    # read are checked.
    model_config = ConfigDict(extra="ignore", frozen=True)


# Text a producer searches its database with: no NUL (PostgreSQL refuses it).
NO_NUL = r"^[^\x00]*$"


class Kund(Model):
    identifierare: Annotated[str, Field(pattern=r"^[0-9]{12}$")]
    typ: Literal["Personnummer", "Organisationsnummer", "Samordningsnummer"]
    tillagg: Annotated[str | None, Field(max_length=20, pattern=NO_NUL)] = None


class Arende(Model):
    identifierare: Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]
    typ: Literal["Konsumentreferens", "Producentarendereferens", "Diarienummer", "Kvittensnummer"]


class Part(Model):
    kund: Kund | None = None
    arende: Arende | None = None

    @model_validator(mode="after")
    def names_someone(self) -> Part:
        if self.kund is None and self.arende is None:
            raise ValueError("a part names a kund, an arende or both")
        return self

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class Sortering(Model):
    attribut: SortAttribute
    stigande: bool


class Paginering(Model):
    offset: Annotated[int, Field(ge=0)]
    limit: Annotated[int | None, Field(ge=1, le=MAX_LIMIT)] = None


class Behandling(Model):
    sortering: list[Sortering] = []
    paginering: Paginering | None = None

    @model_validator(mode="after")
    def paging_needs_sorting(self) -> Behandling:
        if self.paginering is not None and not self.sortering:
            raise ValueError("paginering kräver sortering / paging needs sorting")
        return self


class Fraga(Model):
    parter: Annotated[list[Part], Field(min_length=1, max_length=100)]
    kundhandelseTyper: Annotated[
        list[Annotated[str, Field(max_length=200, pattern=TYPE_PREFIX)]], Field(max_length=100)
    ] = []
    taggar: Annotated[
        list[Annotated[str, Field(max_length=100, pattern=NO_NUL)]], Field(max_length=100)
    ] = []
    startDatum: dt.date | None = None
    slutDatum: dt.date | None = None
    behandling: Behandling | None = None

    @field_validator("startDatum", "slutDatum", mode="before")
    @classmethod
    def plain_date(cls, value: object) -> object:
        if value is not None and not (
            isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value)
        ):
            raise ValueError("a date is YYYY-MM-DD")
        return value

    @model_validator(mode="after")
    def dates_in_order(self) -> Fraga:
        if self.startDatum and self.slutDatum and self.startDatum > self.slutDatum:
            raise ValueError("startDatum is after slutDatum")
        return self


class Request(Model):
    fraga: Fraga
    anvandare: Annotated[str, Field(pattern=r"^[0-9]{12}$")]


# -- the answer ---------------------------------------------------------------------


class Kundhandelse(Model):
    kundhandelseId: Annotated[str, Field(min_length=1, max_length=100)]
    rubrik: Annotated[str, Field(max_length=255)]
    beskrivning: str = ""
    sprak: str = "sv"
    producent: str = ""
    tidpunkt: dt.datetime
    kundhandelseTyp: str
    producentarendetKraverKundatgard: bool
    producentarendetKlart: bool
    version: str = ""
    utokadInformation: dict[str, Any] | None = None
    referenser: dict[str, Any] | None = None

    @field_validator("tidpunkt")
    @classmethod
    def with_offset(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("tidpunkt needs an offset (RFC 3339)")
        return value

    @field_validator("kundhandelseTyp")
    @classmethod
    def dotted(cls, value: str) -> str:
        if not EVENT_TYPE.match(value):
            raise ValueError("kundhandelseTyp is PREFIX.ARENDETYP.HANDELSETYP")
        return value


class KundhandelserForPart(Model):
    part: Part
    totaltAntalKundhandelser: Annotated[int, Field(ge=0)]
    kundhandelserForPart: list[Kundhandelse]


class Delfraga(Model):
    producent: str = ""
    part: Part | None = None
    status: str = "OK"
    message: str | None = None
    httpCode: int | None = None


class Response(Model):
    kundhandelser: list[KundhandelserForPart]
    metadata: dict[str, Any] = {}
    delfragor: list[Delfraga] = []


def metadata(fraga: Fraga, language: str) -> dict[str, Any]:
    """The question echoed back, with the language asked for."""
    echoed = fraga.model_dump(mode="json", exclude_none=True)
    echoed["onskatSprak"] = language
    return echoed


def error_message(error: ValidationError) -> str:
    """A pydantic error as one line naming the fields ("fraga.parter: ...")."""
    lines = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        lines.append(f"{where}: {item['msg']}" if where else item["msg"])
    return "; ".join(lines)


def sort_key(attribute: str, event: Kundhandelse) -> Any:
    return {
        "RUBRIK": lambda: event.rubrik.casefold(),
        "BESKRIVNING": lambda: event.beskrivning.casefold(),
        "PRODUCENT": lambda: event.producent.casefold(),
        "TIDPUNKT": lambda: event.tidpunkt,
        "KUNDHANDELSETYP": lambda: event.kundhandelseTyp,
        "PRODUCENTARENDETKRAVERKUNDATGARD": lambda: event.producentarendetKraverKundatgard,
        "PRODUCENTARENDETKLART": lambda: event.producentarendetKlart,
    }[attribute]()


def treat(events: list[Kundhandelse], behandling: Behandling | None) -> list[Kundhandelse]:
    """Sorted as asked (newest first when not asked), then the page asked for."""
    ordered = sorted(events, key=lambda e: (e.tidpunkt, e.kundhandelseId), reverse=True)
    if behandling is None:
        return ordered
    # Stable sorts, least significant key first.
    for rule in reversed(behandling.sortering):
        attribute = rule.attribut
        ordered.sort(key=lambda e: sort_key(attribute, e), reverse=not rule.stigande)
    if behandling.paginering is not None:
        start = behandling.paginering.offset
        limit = behandling.paginering.limit
        ordered = ordered[start : start + limit if limit is not None else None]
    return ordered


def in_dates(when: dt.datetime, fraga: Fraga) -> bool:
    day = when.astimezone(STOCKHOLM).date()
    return (fraga.startDatum is None or day >= fraga.startDatum) and (
        fraga.slutDatum is None or day <= fraga.slutDatum
    )


def of_types(event_type: str, prefixes: list[str]) -> bool:
    """A prefix matches the types under it, whole parts only (BYGGLOV, not BYGG)."""
    return not prefixes or any(
        event_type == prefix or event_type.startswith(prefix.rstrip(".") + ".")
        for prefix in prefixes
    )


def language_of(header: str) -> str:
    """sv unless English is preferred (Accept-Language)."""
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("sv"):
            return "sv"
        if tag.startswith("en"):
            return "en"
    return "sv"
