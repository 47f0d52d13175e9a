"""What a registered document shows to whom: the one home of the rule.

Every document is registered (OSL 5 kap.); a secret one is listed with its
ground but neither its counterpart nor its title (5 kap. 1 §). Who reads
decides the rest:

- the public (the diary, open data) sees what is not secret, and of a file a
  resident gave only what it is (the form's label), never the name they chose;
- the party (the applicant, or who applied for them, on Mina sidor) sees in
  full what they gave and what was sent to them, secret or not: the secrecy
  protects them from others. Documents others gave or the organisation
  registered are credited to their counterpart and masked when secret (the
  party's insight into those, FL 10 §, goes through a case worker);
- staff with access to the case see everything; an organisation's system whose
  key is not cleared for secret cases sees what staff would, its secret
  documents masked as the public sees them.

The diary page, the diary API, the applicant's case page and its downloads all
ask `shown`; the actions ask `ground_for` when they register a document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digigov.cases import titles
from digigov.cases.models import Case, Document
from digigov.services import catalogue

# The most a ground may say ("OSL 26 kap. 1 §"): as long as the column keeps.
GROUND_LENGTH = 100

# Documents a party gave (the application, its files, completions and comments) …
FROM_PARTY = frozenset(
    {
        Document.Kind.APPLICATION,
        Document.Kind.ATTACHMENT,
        Document.Kind.COMPLETION,
        Document.Kind.COMMENT,
    }
)
# … and those the organisation sent to the party.
TO_PARTY = frozenset(
    {
        Document.Kind.COMPLETION_REQUEST,
        Document.Kind.COMMUNICATION,
        Document.Kind.EXTENSION,
        Document.Kind.DECISION,
    }
)


class Reader(StrEnum):
    PUBLIC = "public"  # anyone: the diary, open data
    PARTY = "party"  # the applicant or who applied for them, on their own case
    STAFF = "staff"  # staff, or a key cleared for secrets, with access to the case
    UNCLEARED = "uncleared"  # a key with access to the case but not cleared for secrets


def ground_for(case: Case, given: str | None) -> str:
    """The secrecy ground a new document of `case` is registered with: the one given, else
    the service's; on a case secret as a whole never none. Too long a ground is refused."""
    given = (given or "").strip()
    if len(given) > GROUND_LENGTH:
        too_long = ValidationError(
            _("Sekretessgrunden får vara högst %(count)d tecken."),
            code="max_length",
            params={"count": GROUND_LENGTH},
        )
        raise ValidationError({"secrecy_ground": [too_long]})
    if given:
        return given
    secrecy = catalogue.spec_of(case.service_version).process.secrecy
    return secrecy.ground if secrecy is not None else ""


@dataclass(frozen=True)
class Shown:
    """A document as one reader sees it; None where it is masked."""

    document: Document
    counterpart: str | None
    title: str | None
    by_reader: bool  # the reader gave it themselves ("Du")
    may_open: bool  # the reader may open its file or read its text
    text: str

    @property
    def masked(self) -> bool:
        return self.title is None

    @property
    def number(self) -> str:
        return self.document.number

    @property
    def sequence(self) -> int:
        return self.document.sequence

    @property
    def registered_at(self) -> dt.datetime:
        return self.document.registered_at

    @property
    def direction(self) -> str:
        return self.document.direction

    @property
    def secret(self) -> bool:
        return self.document.secret

    @property
    def secrecy_ground(self) -> str:
        return self.document.secrecy_ground

    @property
    def has_file(self) -> bool:
        return self.may_open and bool(self.document.attachment_id or self.document.storage_name)


def shown(document: Document, reader: Reader) -> Shown:
    """What `reader` sees of `document` (for PARTY: the party of the document's own case;
    whether someone is that party is the case queries' to decide)."""
    if reader == Reader.STAFF:
        return Shown(
            document,
            document.counterpart,
            titles.shown_title(document),
            False,
            True,
            document.text,
        )
    if reader == Reader.UNCLEARED:
        if document.secret:
            return Shown(document, None, None, False, False, "")
        return shown(document, Reader.STAFF)
    own = reader == Reader.PARTY and document.kind in FROM_PARTY | TO_PARTY
    if own:
        text = "" if document.kind == Document.Kind.DECISION else document.text
        by_reader = document.kind in FROM_PARTY
        return Shown(
            document, document.counterpart, titles.shown_title(document), by_reader, True, text
        )
    if document.secret:
        return Shown(document, None, None, False, False, "")
    if reader == Reader.PUBLIC:
        return Shown(
            document, document.counterpart, titles.public_title(document), False, False, ""
        )
    return Shown(document, document.counterpart, titles.shown_title(document), False, True, "")


def shown_all(documents: list[Document], reader: Reader) -> list[Shown]:
    return [shown(document, reader) for document in documents]
