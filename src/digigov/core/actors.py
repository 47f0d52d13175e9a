"""Who is acting: the subject of every audit row and every scoped query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActorKind = Literal["person", "staff", "system"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    identifier: str  # personnummer (12 digits), staff user name, or the system part's name
    name: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.identifier}"

    @classmethod
    def system(cls, part: str) -> Actor:
        return cls("system", part)

    @classmethod
    def person(cls, personal_identity_number: str, name: str = "") -> Actor:
        return cls("person", personal_identity_number, name)

    @classmethod
    def staff(cls, username: str, name: str = "") -> Actor:
        return cls("staff", username, name)
