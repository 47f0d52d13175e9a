"""X-Road identifiers: members, subsystems (clients) and services.

`SE-TEST/GOV/2120009994/arenden` is a subsystem (a client);
`SE-TEST/GOV/2120009994/arenden/fastighet` a service of it. Each part may only
use the characters X-Road allows; the `/` separators are never part of a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

PART = re.compile(r"^[A-Za-z0-9'()+,\-.=?]{1,255}$")
MEMBER_CLASSES = ("GOV", "MUN", "COM", "NGO")


class BadIdentifier(ValueError):
    """An identifier that does not have the right parts or characters."""


def _part(value: str, what: str) -> str:
    if not PART.fullmatch(value):
        raise BadIdentifier(f"{what} {value!r} may only use A-Z a-z 0-9 ' ( ) + , - . = ?")
    return value


@dataclass(frozen=True, order=True)
class MemberId:
    instance: str
    member_class: str
    member_code: str

    def __post_init__(self) -> None:
        _part(self.instance, "the instance")
        _part(self.member_class, "the member class")
        _part(self.member_code, "the member code")

    def __str__(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}"

    @classmethod
    def parse(cls, text: str) -> MemberId:
        """`instance/memberClass/memberCode`."""
        parts = [unquote(part) for part in text.strip().split("/")]
        if len(parts) != 3:
            raise BadIdentifier(f"{text!r} is not instance/memberClass/memberCode")
        return cls(*parts)


@dataclass(frozen=True, order=True)
class ClientId:
    """A subsystem: what calls and what offers services. A client may also be a member
    itself, without a subsystem (PR-REST 4.3: `X-Road-Client` with three parts)."""

    instance: str
    member_class: str
    member_code: str
    subsystem: str = ""

    def __post_init__(self) -> None:
        MemberId(self.instance, self.member_class, self.member_code)
        if self.subsystem:
            _part(self.subsystem, "the subsystem")

    @property
    def member(self) -> MemberId:
        return MemberId(self.instance, self.member_class, self.member_code)

    def __str__(self) -> str:
        return f"{self.member}/{self.subsystem}" if self.subsystem else str(self.member)

    @classmethod
    def parse(cls, text: str) -> ClientId:
        """`instance/class/code[/subsystem]`, as in the X-Road-Client header."""
        parts = [unquote(part) for part in text.strip().split("/")]
        if len(parts) not in {3, 4} or (len(parts) == 4 and not parts[3]):
            raise BadIdentifier(f"{text!r} is not instance/memberClass/memberCode[/subsystemCode]")
        return cls(*parts)

    @classmethod
    def subsystem_of(cls, text: str) -> ClientId:
        """A subsystem only: what offers a service."""
        found = cls.parse(text)
        if not found.subsystem:
            raise BadIdentifier(f"{text!r} is not instance/memberClass/memberCode/subsystemCode")
        return found


@dataclass(frozen=True, order=True)
class ServiceId:
    client: ClientId
    service_code: str

    def __post_init__(self) -> None:
        if not self.client.subsystem:
            raise BadIdentifier(f"a service belongs to a subsystem, not to {self.client}")
        _part(self.service_code, "the service code")

    def __str__(self) -> str:
        return f"{self.client}/{self.service_code}"

    @classmethod
    def parse(cls, text: str) -> ServiceId:
        """`instance/class/code/subsystem/service`."""
        client, _, code = text.strip().rpartition("/")
        return cls(ClientId.subsystem_of(client), unquote(code))

    def path(self) -> str:
        """The URL form: each part percent-encoded on its own, `/` kept."""
        parts = [
            self.client.instance,
            self.client.member_class,
            self.client.member_code,
            self.client.subsystem,
            self.service_code,
        ]
        return "/".join(quote(part, safe="") for part in parts)
