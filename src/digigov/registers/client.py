"""The interface other modules use to ask the base registers.

Every question carries why it is asked (GDPR: the purpose of every access) and
who asks, so that the exchange sends them along (X-Road-Issue, X-Road-UserId)
and the register node records them for the person's data tracker.
`registers(organisation)` asks over the exchange, through the organisation's
gateway, when `DIGIGOV_REGISTERS` names the register node; otherwise it reads
this installation's own tables (tests, a node that holds its registers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from digigov.core.models import Organisation
from digigov.exchange import queries as exchange_queries
from digigov.exchange.client import ExchangeClient, ExchangeError
from digigov.exchange.identifiers import ClientId, ServiceId
from digigov.registers import answers
from digigov.registers.answers import (
    COMPANY,
    POPULATION,
    PROPERTY,
    Asker,
    BadQuestion,
    NotFound,
)

# The registers by the names RegisterAccess.register records, as people call them.
REGISTER_NAMES = {
    "population": gettext_lazy("Folkbokföringen"),
    "property": gettext_lazy("Fastighetsregistret"),
    "company": gettext_lazy("Näringslivsregistret"),
}


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str


@dataclass(frozen=True)
class Person:
    personal_identity_number: str
    given_name: str
    surname: str
    address: Address  # empty for a person with protected identity
    protected: bool = False  # skyddad folkbokföring: never show or send where they live

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.surname}"


@dataclass(frozen=True)
class Signatory:
    personal_identity_number: str
    name: str


@dataclass(frozen=True)
class Company:
    organisation_number: str
    name: str
    legal_form: str
    address: Address
    signatories_required: int  # firmateckning: how many must sign together
    signatories: tuple[Signatory, ...] = ()

    def is_signatory(self, person: str) -> bool:
        return any(s.personal_identity_number == person for s in self.signatories)

    @property
    def joint(self) -> bool:
        """Do its signatories represent it only together (firmateckning i förening)?"""
        return self.signatories_required > 1

    def signs_alone(self, person: str) -> bool:
        """May this person alone represent the company (the sole signatory rule)?"""
        return not self.joint and self.is_signatory(person)


class RegisterClient(Protocol):
    def person(self, number: str, *, purpose: str) -> Person | None: ...
    def household(self, number: str, *, purpose: str) -> list[Person]: ...
    def properties_owned_by(self, identifier: str, *, purpose: str) -> list[str]: ...
    def company(self, number: str, *, purpose: str) -> Company | None: ...
    def may_sign_for(self, person: str, company: str, *, purpose: str) -> bool: ...
    def companies_signed_by(
        self, person: str, *, purpose: str, jointly: bool = False
    ) -> list[Company]:
        """The companies the person may sign for alone (`jointly`: or with others)."""
        ...


class LocalRegisters:
    """Reads the registers held by this installation, as `organisation` asking for `user`:
    the same answers the register node gives over the exchange (`registers.answers`),
    recorded the same way for the data tracker."""

    def __init__(self, organisation: Organisation | None, user: str) -> None:
        member = exchange_queries.member_id_of(organisation) if organisation else None
        if member is not None:
            self.client = f"{member}/{settings.EXCHANGE_SUBSYSTEM}"
        else:
            self.client = organisation.slug if organisation else "digigov"
        self.client_name = organisation.name if organisation else ""
        self.user = f"SE{user}" if user else ""

    def _ask(self, answer: Callable[[str, Asker], Any], subject: str, purpose: str) -> Any:
        try:
            return answer(subject, Asker(self.client, self.client_name, self.user, purpose))
        except NotFound:
            return None
        except BadQuestion as error:
            raise RegisterUnavailable(str(error)) from error

    def person(self, number: str, *, purpose: str) -> Person | None:
        found = self._ask(answers.person, number, purpose)
        return None if found is None else _from_json(found)

    def household(self, number: str, *, purpose: str) -> list[Person]:
        found = self._ask(answers.household, number, purpose)
        return [] if found is None else [_from_json(member) for member in found["medlemmar"]]

    def properties_owned_by(self, identifier: str, *, purpose: str) -> list[str]:
        found = self._ask(answers.properties, identifier, purpose)
        return sorted(p["beteckning"] for p in found["fastigheter"])

    def company(self, number: str, *, purpose: str) -> Company | None:
        found = self._ask(answers.company, number, purpose)
        return None if found is None else _company_from_json(found)

    def may_sign_for(self, person: str, company: str, *, purpose: str) -> bool:
        return _may_sign(person, self._ask(answers.company, company, purpose))

    def companies_signed_by(
        self, person: str, *, purpose: str, jointly: bool = False
    ) -> list[Company]:
        found = self._ask(
            lambda subject, asker: answers.companies(subject, asker, jointly=jointly),
            person,
            purpose,
        )
        return [_company_from_json(c) for c in found["foretag"]]


def _may_sign(person: str, company: dict[str, Any] | None) -> bool:
    return company is not None and _company_from_json(company).signs_alone(person)


def _address(data: dict[str, Any] | None) -> Address:
    data = data or {}
    return Address(data.get("gatuadress", ""), data.get("postnummer", ""), data.get("postort", ""))


def _from_json(data: dict[str, Any]) -> Person:
    return Person(
        personal_identity_number=data["personnummer"],
        given_name=data["fornamn"],
        surname=data["efternamn"],
        address=_address(data.get("adress")),
        protected=bool(data.get("skyddadFolkbokforing")),
    )


def _company_from_json(data: dict[str, Any]) -> Company:
    return Company(
        organisation_number=data["organisationsnummer"],
        name=data["namn"],
        legal_form=data["juridiskForm"],
        address=_address(data.get("adress")),
        signatories_required=int(data["firmateckning"]["antalTillsammans"]),
        signatories=tuple(
            Signatory(s["personnummer"], s["namn"]) for s in data["firmateckning"]["firmatecknare"]
        ),
    )


class ExchangeRegisters:
    """Asks the register node over the exchange, as one organisation's subsystem."""

    def __init__(self, client: ExchangeClient, provider: ClientId, user: str) -> None:
        self.client = client
        self.provider = provider
        self.user = user

    def _get(self, service: str, path: str, purpose: str, **params: str) -> Any:
        try:
            return self.client.get(
                ServiceId(self.provider, service),
                path,
                user_id=self.user,
                issue=purpose,
                params=params or None,
            )
        except ExchangeError as error:
            raise RegisterUnavailable(str(error)) from error

    def person(self, number: str, *, purpose: str) -> Person | None:
        found = self._get(POPULATION, f"/personer/{number}", purpose)
        return None if found is None else _from_json(found)

    def household(self, number: str, *, purpose: str) -> list[Person]:
        found = self._get(POPULATION, f"/personer/{number}/hushall", purpose)
        return [] if found is None else [_from_json(member) for member in found["medlemmar"]]

    def properties_owned_by(self, identifier: str, *, purpose: str) -> list[str]:
        found = self._get(PROPERTY, "/fastigheter", purpose, agare=identifier)
        return [] if found is None else sorted(p["beteckning"] for p in found["fastigheter"])

    def company(self, number: str, *, purpose: str) -> Company | None:
        found = self._get(COMPANY, f"/foretag/{number}", purpose)
        return None if found is None else _company_from_json(found)

    def may_sign_for(self, person: str, company: str, *, purpose: str) -> bool:
        return _may_sign(person, self._get(COMPANY, f"/foretag/{company}", purpose))

    def companies_signed_by(
        self, person: str, *, purpose: str, jointly: bool = False
    ) -> list[Company]:
        found = self._get(
            COMPANY,
            "/foretag",
            purpose,
            firmatecknare=person,
            tillsammans="ja" if jointly else "nej",
        )
        return [] if found is None else [_company_from_json(c) for c in found["foretag"]]


class RegisterUnavailable(Exception):
    """The register could not be asked (the exchange refused or failed)."""


# Set while an installation that holds the registers itself loads its own demo data, before
# its gateways (and the register node's web server behind them) run: see held_here().
_read_here: ContextVar[bool] = ContextVar("registers_read_here", default=False)


@contextmanager
def held_here() -> Iterator[None]:
    """Read the registers this installation holds directly, not over the exchange: for the
    demo's loader, which runs before the gateways do. The answers and the data tracker's
    records are the same (LocalRegisters gives the register node's own answers)."""
    token = _read_here.set(True)
    try:
        yield
    finally:
        _read_here.reset(token)


def registers(organisation: Organisation | None = None, *, user: str = "") -> RegisterClient:
    """The registers as `organisation` may ask them, on behalf of `user` (a personnummer)."""
    provider = settings.REGISTERS
    if provider == "local" or organisation is None or _read_here.get():
        return LocalRegisters(organisation, user)
    gateway = exchange_queries.gateway_of(organisation)
    if gateway is None:
        raise ImproperlyConfigured(
            f"DIGIGOV_REGISTERS asks over the exchange, but {organisation.slug} has no gateway here"
        )
    member_id, url = gateway
    caller = f"{member_id}/{settings.EXCHANGE_SUBSYSTEM}"
    client = _clients.get((url, caller))
    if client is None:
        client = _clients[(url, caller)] = ExchangeClient(url, ClientId.parse(caller))
    return ExchangeRegisters(client, ClientId.parse(provider), f"SE{user}" if user else "")


# One client (and its kept-alive connections) per gateway and calling subsystem.
_clients: dict[tuple[str, str], ExchangeClient] = {}
