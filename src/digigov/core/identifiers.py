"""Swedish identifiers: personnummer, samordningsnummer and organisationsnummer.

Every spelling people use is accepted and normalised: 12 digits for a person
(YYYYMMDDNNNC), 10 digits for an organisation (NNNNNNNNNC).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as ChecksumError

from digigov.core import clock

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PersonKind = Literal["personnummer", "samordningsnummer"]

_PERSON_PATTERN = re.compile(
    r"^(?P<century>[0-9]{2})?(?P<date>[0-9]{6})(?P<sep>[-+]?)(?P<serial>[0-9]{4})$"
)
_ORGANISATION_PATTERN = re.compile(r"^(?:16)?(?P<number>[0-9]{6}-?[0-9]{4})$")
# Samordningsnummer: the day of birth plus 60 (folkbokföringslagen 18 a §).
_COORDINATION_DAY_OFFSET = 60
# No one born earlier has a personnummer (they were given from 1947, to the living).
_EARLIEST_YEAR = 1800


@dataclass(frozen=True)
class PersonIdentifier:
    """A normalised personnummer or samordningsnummer."""

    value: str  # 12 digits
    kind: PersonKind
    birth_date: dt.date

    def __str__(self) -> str:
        return f"{self.value[:8]}-{self.value[8:]}"


@dataclass(frozen=True)
class OrganisationNumber:
    value: str  # 10 digits

    def __str__(self) -> str:
        return f"{self.value[:6]}-{self.value[6:]}"


def _invalid(message: StrOrPromise, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def parse_person_identifier(text: str, *, today: dt.date | None = None) -> PersonIdentifier:
    """Parse a personnummer or samordningsnummer in any common spelling.

    Ten digits name the century by the separator: ``-`` for people under 100,
    ``+`` from the year they turn 100 (folkbokföringslagen 18 §). Only ASCII digits:
    another script's digits are a clear error, not a wrong check digit.
    """
    match = _PERSON_PATTERN.match((text or "").strip().replace(" ", ""))
    if match is None:
        raise _invalid(
            _("Ange personnumret med 10 eller 12 siffror, till exempel 19900101-1234."),
            "format",
        )
    century, date_digits, separator, serial = match.group("century", "date", "sep", "serial")
    if century and separator == "+":
        raise _invalid(_("Plustecken används bara i personnummer med 10 siffror."), "format")
    ten_digits = date_digits + serial
    month, day = int(date_digits[2:4]), int(date_digits[4:6])
    kind: PersonKind = "personnummer"
    if day > _COORDINATION_DAY_OFFSET:
        kind, day = "samordningsnummer", day - _COORDINATION_DAY_OFFSET
    today = today or clock.today()
    if century:
        year = int(century + date_digits[:2])
    else:
        # The separator goes by calendar year: "+" from the start of the year a
        # person turns 100, so the century follows from the year alone.
        two_digit_year = int(date_digits[:2])
        year = today.year - (today.year - two_digit_year) % 100
        if separator == "+":
            year -= 100
    try:
        birth_date = dt.date(year, month, day)
    except ValueError:
        raise _invalid(_("Personnumret innehåller inget giltigt födelsedatum."), "date") from None
    if birth_date > today:
        raise _invalid(_("Födelsedatumet i personnumret ligger i framtiden."), "date")
    if year < _EARLIEST_YEAR:
        raise _invalid(_("Personnumret innehåller inget giltigt födelsedatum."), "date")
    if serial[:3] == "000":
        raise _invalid(
            _("Födelsenumret (de tre siffrorna efter datumet) kan inte vara 000."), "format"
        )
    try:
        luhn.validate(ten_digits)
    except ChecksumError:
        raise _invalid(
            _("Kontrollsiffran stämmer inte. Kontrollera att personnumret är rätt skrivet."),
            "checksum",
        ) from None
    return PersonIdentifier(value=f"{year:04d}{ten_digits[2:]}", kind=kind, birth_date=birth_date)


def parse_organisation_number(text: str) -> OrganisationNumber:
    """Parse an organisationsnummer, with or without hyphen or the ``16`` prefix."""
    match = _ORGANISATION_PATTERN.match((text or "").strip().replace(" ", ""))
    if match is None:
        raise _invalid(
            _("Ange organisationsnumret med 10 siffror, till exempel 212000-1355."), "format"
        )
    number = match.group("number").replace("-", "")
    # The third digit is at least 2, which keeps organisation numbers apart from
    # personnummer (whose third digit is the first of the month).
    if int(number[2]) < 2:
        raise _invalid(
            _("Den tredje siffran i ett organisationsnummer är alltid 2 eller högre."), "format"
        )
    try:
        luhn.validate(number)
    except ChecksumError:
        raise _invalid(
            _("Kontrollsiffran stämmer inte. Kontrollera att organisationsnumret är rätt skrivet."),
            "checksum",
        ) from None
    return OrganisationNumber(number)


def validate_person_identifier(value: str) -> None:
    """Model-field validator: the stored value must be the normalised 12 digits."""
    if parse_person_identifier(value).value != value:
        raise _invalid(_("Personnumret ska lagras med 12 siffror."), "format")


def validate_organisation_number(value: str) -> None:
    if parse_organisation_number(value).value != value:
        raise _invalid(_("Organisationsnumret ska lagras med 10 siffror."), "format")
