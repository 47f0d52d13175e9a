"""Checking a person's answers against a service package's form.

The same rules serve the pages (where everything arrives as text) and the API
(where it arrives as JSON), so `clean` accepts both and returns typed values.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from digigov.core.identifiers import parse_organisation_number, parse_person_identifier
from digigov.services.spec import Condition, FormField, ServicePackageSpec, Step

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Fastighetsbeteckning: kommun (or area), trakt, block:enhet, e.g. "Exempelby Björken 1:23".
PROPERTY_DESIGNATION = re.compile(r"^[A-ZÅÄÖ][\wÅÄÖåäö\-]*( [\wÅÄÖåäö\-]+)+ \d+:\d+$")
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")
POSTAL_CODE = re.compile(r"^\d{3} ?\d{2}$")


@dataclass(frozen=True)
class Cleaned:
    values: dict[str, Any]
    errors: dict[str, StrOrPromise]

    @property
    def ok(self) -> bool:
        return not self.errors


class _Invalid(Exception):
    def __init__(self, message: StrOrPromise) -> None:
        self.message = message


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def visible(condition: Condition | None, values: dict[str, Any]) -> bool:
    if condition is None:
        return True
    current = values.get(condition.field)
    if condition.among is not None:
        if isinstance(current, list):
            return any(item in condition.among for item in current)
        return current in condition.among
    return current == condition.equals


def _text(field: FormField, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(_("Ange text."))
    text = value.strip()
    if field.min_length and len(text) < field.min_length:
        raise _Invalid(format_lazy(_("Skriv minst {count} tecken."), count=field.min_length))
    limit = field.max_length or (4000 if field.type == "long_text" else 200)
    if len(text) > limit:
        raise _Invalid(format_lazy(_("Skriv högst {count} tecken."), count=limit))
    if field.pattern and not re.fullmatch(field.pattern, text):
        raise _Invalid(_("Svaret har inte rätt form."))
    return text


def _number(field: FormField, value: Any) -> int | float:
    if isinstance(value, bool):
        raise _Invalid(_("Ange ett tal."))
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        raw = str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        raw = raw.removesuffix("kr").removesuffix(":-")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise _Invalid(_("Ange ett tal, till exempel 120 eller 12,5.")) from None
    if not number.is_finite():
        raise _Invalid(_("Ange ett tal, till exempel 120 eller 12,5."))
    if field.type == "money" and number != number.quantize(Decimal("0.01")):
        raise _Invalid(_("Ange beloppet i kronor med högst två decimaler."))
    if field.minimum is not None and number < Decimal(str(field.minimum)):
        raise _Invalid(format_lazy(_("Ange minst {minimum}."), minimum=_plain(field.minimum)))
    if field.maximum is not None and number > Decimal(str(field.maximum)):
        raise _Invalid(format_lazy(_("Ange högst {maximum}."), maximum=_plain(field.maximum)))
    return int(number) if number == number.to_integral_value() else float(number)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _date(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise _Invalid(_("Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2026-05-17.")) from None


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in {"ja", "yes", "true", "1"}:
        return True
    if str(value).lower() in {"nej", "no", "false", "0"}:
        return False
    raise _Invalid(_("Välj ja eller nej."))


def _choice(field: FormField, value: Any) -> str | list[str]:
    allowed = {option.value for option in field.options or []}
    if field.type == "choice":
        if value not in allowed:
            raise _Invalid(_("Välj ett av alternativen."))
        return str(value)
    chosen = value if isinstance(value, list) else [value]
    if any(item not in allowed for item in chosen):
        raise _Invalid(_("Välj bland alternativen."))
    return [option.value for option in field.options or [] if option.value in chosen]


def _address(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _Invalid(_("Ange gatuadress, postnummer och ort."))
    street = str(value.get("street", "")).strip()
    postal_code = str(value.get("postal_code", "")).strip()
    city = str(value.get("city", "")).strip()
    if not (street and postal_code and city):
        raise _Invalid(_("Ange gatuadress, postnummer och ort."))
    if not POSTAL_CODE.match(postal_code):
        raise _Invalid(_("Postnumret har fem siffror, till exempel 123 45."))
    if max(len(street), len(city)) > 200:
        raise _Invalid(format_lazy(_("Skriv högst {count} tecken."), count=200))
    return {"street": street, "postal_code": postal_code.replace(" ", ""), "city": city}


def _attachments(field: FormField, value: Any) -> list[str]:
    ids = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) and item for item in ids):
        raise _Invalid(_("Bilagorna är felaktigt angivna."))
    if field.max_files and len(ids) > field.max_files:
        raise _Invalid(format_lazy(_("Bifoga högst {count} filer."), count=field.max_files))
    return list(ids)


def _one(field: FormField, value: Any) -> Any:
    kind = field.type
    if kind in {"text", "long_text"}:
        return _text(field, value)
    if kind in {"number", "money"}:
        return _number(field, value)
    if kind == "date":
        return _date(value)
    if kind == "yes_no":
        return _yes_no(value)
    if kind in {"choice", "multiple_choice"}:
        return _choice(field, value)
    if kind == "personnummer":
        try:
            return parse_person_identifier(str(value)).value
        except ValidationError as error:
            raise _Invalid(error.messages[0]) from None
    if kind == "organisationsnummer":
        try:
            return parse_organisation_number(str(value)).value
        except ValidationError as error:
            raise _Invalid(error.messages[0]) from None
    if kind == "email":
        text = str(value).strip()
        try:
            validate_email(text)
        except ValidationError:
            raise _Invalid(_("Ange en e-postadress, till exempel namn@exempel.se.")) from None
        return text
    if kind == "phone":
        text = str(value).strip()
        if not PHONE.match(text):
            raise _Invalid(_("Ange ett telefonnummer, till exempel 070-123 45 67."))
        return text
    if kind == "postal_address":
        return _address(value)
    if kind == "property_designation":
        text = " ".join(str(value).split())
        if not PROPERTY_DESIGNATION.match(text):
            raise _Invalid(_("Ange fastighetsbeteckningen, till exempel Exempelby Björken 1:23."))
        return text
    if kind == "attachment":
        return _attachments(field, value)
    raise _Invalid(_("Okänd typ av fält."))


def _clean_fields(
    fields: list[FormField],
    raw: dict[str, Any],
    *,
    complete: bool,
    prefix: str,
    errors: dict[str, StrOrPromise],
    known: dict[str, Any] | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields:
        if not visible(field.visible_if, {**(known or {}), **values}):
            continue
        path = f"{prefix}{field.id}"
        value = raw.get(field.id)
        if field.type == "group":
            values[field.id] = _clean_group(
                field, value, complete=complete, path=path, errors=errors
            )
            continue
        if _is_empty(value):
            if complete and field.required:
                errors[path] = _("Svara på frågan.")
            continue
        try:
            values[field.id] = _one(field, value)
        except _Invalid as invalid:
            errors[path] = invalid.message
    return values


def _clean_group(
    field: FormField, value: Any, *, complete: bool, path: str, errors: dict[str, StrOrPromise]
) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else []
    if value not in (None, "") and not isinstance(value, list):
        errors[path] = _("Uppgifterna är felaktigt angivna.")
        return []
    if field.max_items and len(items) > field.max_items:
        errors[path] = format_lazy(_("Ange högst {count}."), count=field.max_items)
        return []
    if complete and field.min_items and len(items) < field.min_items:
        errors[path] = format_lazy(_("Ange minst {count}."), count=field.min_items)
    cleaned = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"{path}.{index}"] = _("Uppgifterna är felaktigt angivna.")
            continue
        cleaned.append(
            _clean_fields(
                field.fields or [],
                item,
                complete=complete,
                prefix=f"{path}.{index}.",
                errors=errors,
            )
        )
    return cleaned


def clean(spec: ServicePackageSpec, raw: dict[str, Any], *, complete: bool) -> Cleaned:
    """Check every answer; with ``complete`` also that every required question is answered."""
    errors: dict[str, StrOrPromise] = {}
    values: dict[str, Any] = {}
    for step in spec.steps:
        values.update(
            _clean_fields(
                step.fields, raw, complete=complete, prefix="", errors=errors, known=values
            )
        )
    unknown = set(raw) - {f.id for f in spec.all_fields()}
    for name in sorted(unknown):
        errors[name] = _("Frågan finns inte i den här e-tjänsten.")
    return Cleaned(values=values, errors=errors)


def clean_step(spec: ServicePackageSpec, step: Step, raw: dict[str, Any]) -> Cleaned:
    """Check one step, as the person presses Continue, with earlier answers in view."""
    earlier = clean(spec, raw, complete=False).values
    errors: dict[str, StrOrPromise] = {}
    values = _clean_fields(step.fields, raw, complete=True, prefix="", errors=errors, known=earlier)
    return Cleaned(values=values, errors=errors)
