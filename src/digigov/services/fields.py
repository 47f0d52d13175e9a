"""The field types of a service package's forms: one registry.

Each type is one class that knows everything about its answers: what a package
may say of it (`check`), how an answer is checked and typed (`clean`, for the
pages where answers arrive as text and the API where they arrive as JSON), its
JSON Schema (`schema`), how it reads as text (`display`), how it is read from
a posted form (`read`) and which widget shows it (`widget`, `input_type`).
Adding a field type is adding a class here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from digigov.core.identifiers import parse_organisation_number, parse_person_identifier
from digigov.services.texts import localised

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from digigov.services.spec import FormField

# Fastighetsbeteckning: kommun (or area), trakt, block:enhet, e.g. "Exempelby Björken 1:23".
PROPERTY_DESIGNATION = re.compile(r"^[A-ZÅÄÖ][\wÅÄÖåäö\-]*( [\wÅÄÖåäö\-]+)+ [0-9]+:[0-9]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")
POSTAL_CODE = re.compile(r"^[0-9]{3} ?[0-9]{2}$")
PERSONNUMMER = r"^([0-9]{2})?[0-9]{6}[-+]?[0-9]{4}$"
ORGANISATIONSNUMMER = r"^(16)?[0-9]{6}-?[0-9]{4}$"
ATTACHMENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}
ADDRESS_PARTS = ("street", "postal_code", "city")


class Invalid(Exception):
    """An answer that does not fit its field, with the message to show."""

    def __init__(self, message: StrOrPromise) -> None:
        self.message = message


class Posted(Protocol):
    """What a posted form offers (Django's QueryDict)."""

    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[Any]: ...
    def __contains__(self, key: object) -> bool: ...


class Kind:
    """A field type; the defaults are those of a one-line text answer."""

    name: ClassVar[str]
    widget: ClassVar[str] = "input"  # input, textarea, choices, address, attachment, group
    input_type: ClassVar[str] = "text"
    input_mode: ClassVar[str] = ""
    autocomplete: ClassVar[str] = ""
    always_posted: ClassVar[bool] = False  # read even when the form sends no value

    def check(self, field: FormField) -> None:
        """What the package says of such a field; ValueError when it does not fit."""

    def clean(self, field: FormField, value: Any) -> Any:
        return _text(value, 200, field)

    def fits(self, field: FormField, value: Any) -> bool:
        """Is `value` of the shape this field's answers have, right or wrong: what its page
        posts, or the JSON type the API documents? A draft keeps a wrong answer for the
        person to mend, never one of another shape."""
        return _posted_text(value)

    def schema(self, field: FormField) -> dict[str, Any]:
        return {"type": "string"}

    def display(self, field: FormField, value: Any, file_names: Mapping[str, str]) -> str:
        return str(value)

    def read(self, field: FormField, name: str, post: Posted) -> Any:
        return post.get(name)


def _text(value: Any, default_limit: int, field: FormField) -> str:
    if not isinstance(value, str):
        raise Invalid(_("Ange text."))
    text = value.strip()
    if field.min_length and len(text) < field.min_length:
        raise Invalid(format_lazy(_("Skriv minst {count} tecken."), count=field.min_length))
    limit = field.max_length or default_limit
    if len(text) > limit:
        raise Invalid(format_lazy(_("Skriv högst {count} tecken."), count=limit))
    if field.pattern and not re.fullmatch(field.pattern, text):
        raise Invalid(_("Svaret har inte rätt form."))
    return text


# The longest text a draft keeps for any answer (the longest field takes 4000).
RAW_LIMIT = 10_000


def storable(text: str) -> bool:
    """Can every database keep this text: no NUL, no lone surrogate (not UTF-8)?"""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _posted_text(value: Any) -> bool:
    """Text a draft may keep: not too long, and storable."""
    return isinstance(value, str) and len(value) <= RAW_LIMIT and storable(value)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


class Text(Kind):
    name = "text"
    limit: ClassVar[int] = 200

    def clean(self, field: FormField, value: Any) -> Any:
        return _text(value, self.limit, field)

    def schema(self, field: FormField) -> dict[str, Any]:
        found: dict[str, Any] = {"type": "string"}
        if field.min_length:
            found["minLength"] = field.min_length
        found["maxLength"] = field.max_length or self.limit
        if field.pattern:
            found["pattern"] = field.pattern
        return found


class LongText(Text):
    name = "long_text"
    limit = 4000
    widget = "textarea"


class Number(Kind):
    name = "number"
    input_mode = "decimal"

    def clean(self, field: FormField, value: Any) -> Any:
        if isinstance(value, bool):
            raise Invalid(_("Ange ett tal."))
        if isinstance(value, int | float):
            number = Decimal(str(value))
        else:
            raw = str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
            raw = raw.removesuffix("kr").removesuffix(":-")
            try:
                number = Decimal(raw)
            except InvalidOperation:
                raise Invalid(_("Ange ett tal, till exempel 120 eller 12,5.")) from None
        if not number.is_finite():
            raise Invalid(_("Ange ett tal, till exempel 120 eller 12,5."))
        self.check_precision(number)
        if field.minimum is not None and number < Decimal(str(field.minimum)):
            raise Invalid(format_lazy(_("Ange minst {minimum}."), minimum=_plain(field.minimum)))
        if field.maximum is not None and number > Decimal(str(field.maximum)):
            raise Invalid(format_lazy(_("Ange högst {maximum}."), maximum=_plain(field.maximum)))
        return int(number) if number == number.to_integral_value() else float(number)

    def check_precision(self, number: Decimal) -> None:
        return None

    def fits(self, field: FormField, value: Any) -> bool:
        if isinstance(value, float):
            return math.isfinite(value)
        return (isinstance(value, int) and not isinstance(value, bool)) or _posted_text(value)

    def schema(self, field: FormField) -> dict[str, Any]:
        found: dict[str, Any] = {"type": "number"}
        if field.minimum is not None:
            found["minimum"] = field.minimum
        if field.maximum is not None:
            found["maximum"] = field.maximum
        return found

    def display(self, field: FormField, value: Any, file_names: Mapping[str, str]) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{value:,}".replace(",", " ").replace(".", ",")
        return str(value)


class Money(Number):
    name = "money"

    def check_precision(self, number: Decimal) -> None:
        try:
            exact = number == number.quantize(Decimal("0.01"))
        except InvalidOperation:  # too many digits to have two decimals
            exact = False
        if not exact:
            raise Invalid(_("Ange beloppet i kronor med högst två decimaler."))

    def schema(self, field: FormField) -> dict[str, Any]:
        return {**super().schema(field), "multipleOf": 0.01}


class Date(Kind):
    name = "date"
    input_type = "date"

    def clean(self, field: FormField, value: Any) -> Any:
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise Invalid(_("Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2026-05-17.")) from None

    def schema(self, field: FormField) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class YesNo(Kind):
    name = "yes_no"
    widget = "choices"

    def clean(self, field: FormField, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if str(value).lower() in {"ja", "yes", "true", "1"}:
            return True
        if str(value).lower() in {"nej", "no", "false", "0"}:
            return False
        raise Invalid(_("Välj ja eller nej."))

    def fits(self, field: FormField, value: Any) -> bool:
        return isinstance(value, bool) or _posted_text(value)

    def schema(self, field: FormField) -> dict[str, Any]:
        return {"type": "boolean"}

    def display(self, field: FormField, value: Any, file_names: Mapping[str, str]) -> str:
        truthy = value is True or str(value).lower() in {"ja", "true", "yes", "1"}
        return gettext("Ja") if truthy else gettext("Nej")


class Choice(Kind):
    name = "choice"
    widget = "choices"
    input_type = "radio"

    def check(self, field: FormField) -> None:
        if not field.options:
            raise ValueError(f"a {self.name} field needs options")

    def clean(self, field: FormField, value: Any) -> Any:
        if not isinstance(value, str) or value not in {o.value for o in field.options or []}:
            raise Invalid(_("Välj ett av alternativen."))
        return value

    def schema(self, field: FormField) -> dict[str, Any]:
        return {"type": "string", "enum": [o.value for o in field.options or []]}

    def display(self, field: FormField, value: Any, file_names: Mapping[str, str]) -> str:
        labels = {o.value: localised(o.label) for o in field.options or []}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)


class MultipleChoice(Choice):
    name = "multiple_choice"
    input_type = "checkbox"
    always_posted = True  # nothing ticked sends nothing, and that is an answer

    def clean(self, field: FormField, value: Any) -> Any:
        allowed = {option.value for option in field.options or []}
        chosen = value if isinstance(value, list) else [value]
        if any(not isinstance(item, str) or item not in allowed for item in chosen):
            raise Invalid(_("Välj bland alternativen."))
        return [option.value for option in field.options or [] if option.value in chosen]

    def fits(self, field: FormField, value: Any) -> bool:
        chosen = value if isinstance(value, list) else [value]
        return len(chosen) <= 100 and all(_posted_text(item) for item in chosen)

    def schema(self, field: FormField) -> dict[str, Any]:
        return {"type": "array", "items": super().schema(field), "uniqueItems": True}

    def read(self, field: FormField, name: str, post: Posted) -> Any:
        return post.getlist(name)


class _Identifier(Kind):
    pattern: ClassVar[str]

    def parse(self, value: str) -> str:
        raise NotImplementedError

    def clean(self, field: FormField, value: Any) -> Any:
        try:
            return self.parse(str(value))
        except ValidationError as error:
            raise Invalid(error.messages[0]) from None

    def schema(self, field: FormField) -> dict[str, Any]:
        return {"type": "string", "pattern": self.pattern}


class PersonNumber(_Identifier):
    name = "personnummer"
    pattern = PERSONNUMMER

    def parse(self, value: str) -> str:
        return parse_person_identifier(value).value


class OrganisationNumber(_Identifier):
    name = "organisationsnummer"
    pattern = ORGANISATIONSNUMMER

    def parse(self, value: str) -> str:
        return parse_organisation_number(value).value


class Email(Kind):
    name = "email"
    input_type = "email"
    autocomplete = "email"

    def clean(self, field: FormField, value: Any) -> Any:
        text = str(value).strip()
        try:
            validate_email(text)
        except ValidationError:
            raise Invalid(_("Ange en e-postadress, till exempel namn@exempel.se.")) from None
        return text

    def schema(self, field: FormField) -> dict[str, Any]:
        return {"type": "string", "format": "email"}


class Phone(Kind):
    name = "phone"
    input_type = "tel"
    autocomplete = "tel"

    def clean(self, field: FormField, value: Any) -> Any:
        text = str(value).strip()
        if not PHONE.match(text):
            raise Invalid(_("Ange ett telefonnummer, till exempel 070-123 45 67."))
        return text

    def schema(self, field: FormField) -> dict[str, Any]:
        return {"type": "string", "pattern": PHONE.pattern}


class PropertyDesignation(Kind):
    name = "property_designation"

    def clean(self, field: FormField, value: Any) -> Any:
        text = " ".join(str(value).split())
        if not PROPERTY_DESIGNATION.match(text):
            raise Invalid(_("Ange fastighetsbeteckningen, till exempel Exempelby Björken 1:23."))
        return text

    def schema(self, field: FormField) -> dict[str, Any]:
        return {"type": "string", "pattern": PROPERTY_DESIGNATION.pattern}


class PostalAddress(Kind):
    name = "postal_address"
    widget = "address"
    always_posted = True

    def clean(self, field: FormField, value: Any) -> Any:
        if not isinstance(value, dict):
            raise Invalid(_("Ange gatuadress, postnummer och ort."))
        street = str(value.get("street", "")).strip()
        postal_code = str(value.get("postal_code", "")).strip()
        city = str(value.get("city", "")).strip()
        if not (street and postal_code and city):
            raise Invalid(_("Ange gatuadress, postnummer och ort."))
        if not POSTAL_CODE.match(postal_code):
            raise Invalid(_("Postnumret har fem siffror, till exempel 123 45."))
        if max(len(street), len(city)) > 200:
            raise Invalid(format_lazy(_("Skriv högst {count} tecken."), count=200))
        return {"street": street, "postal_code": postal_code.replace(" ", ""), "city": city}

    def fits(self, field: FormField, value: Any) -> bool:
        return (
            isinstance(value, dict)
            and set(value) <= set(ADDRESS_PARTS)
            and all(_posted_text(part) for part in value.values())
        )

    def schema(self, field: FormField) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "street": {"type": "string", "maxLength": 200},
                "postal_code": {"type": "string", "pattern": POSTAL_CODE.pattern},
                "city": {"type": "string", "maxLength": 200},
            },
            "required": list(ADDRESS_PARTS),
            "additionalProperties": False,
        }

    def display(self, field: FormField, value: Any, file_names: Mapping[str, str]) -> str:
        if not isinstance(value, dict):
            return str(value)
        return f"{value.get('street', '')}, {value.get('postal_code', '')} {value.get('city', '')}"

    def read(self, field: FormField, name: str, post: Posted) -> Any:
        parts = {part: post.get(f"{name}-{part}", "") for part in ADDRESS_PARTS}
        return parts if any(parts.values()) else None


class Attachment(Kind):
    """Files uploaded to the application for this question, by their ids."""

    name = "attachment"
    widget = "attachment"

    def check(self, field: FormField) -> None:
        if not field.accept:
            raise ValueError("an attachment field needs 'accept' (content types)")
        unknown = [t for t in field.accept if t not in ATTACHMENT_TYPES]
        if unknown:
            raise ValueError(
                f"attachments can be {', '.join(sorted(ATTACHMENT_TYPES))}, not {', '.join(unknown)}"
            )
        if field.max_size_mb is None or field.max_files is None:
            raise ValueError("an attachment field needs 'max_size_mb' and 'max_files'")

    def clean(self, field: FormField, value: Any) -> Any:
        ids = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) and item for item in ids):
            raise Invalid(_("Bilagorna är felaktigt angivna."))
        if field.max_files and len(ids) > field.max_files:
            raise Invalid(format_lazy(_("Bifoga högst {count} filer."), count=field.max_files))
        return list(ids)

    def fits(self, field: FormField, value: Any) -> bool:
        ids = value if isinstance(value, list) else [value]
        return len(ids) <= 100 and all(_posted_text(item) and len(item) <= 100 for item in ids)

    def schema(self, field: FormField) -> dict[str, Any]:
        return {
            "type": "array",
            "items": {"type": "string", "format": "uuid"},
            "maxItems": field.max_files,
            "x-accept": field.accept,
            "x-max-size-mb": field.max_size_mb,
            "description": "Ids of attachments uploaded to this application for this field.",
        }

    def display(self, field: FormField, value: Any, file_names: Mapping[str, str]) -> str:
        return ", ".join(file_names[v] for v in value if v in file_names) or "–"

    def read(self, field: FormField, name: str, post: Posted) -> Any:
        return None  # files come as uploads, not as form values


class Group(Kind):
    """Rows of the same questions (household members, neighbours). Its rows are checked
    field by field by services.answers, which keeps each error's path."""

    name = "group"
    widget = "group"
    always_posted = True

    def check(self, field: FormField) -> None:
        if not field.fields:
            raise ValueError("a group needs fields")
        if any(child.type == self.name for child in field.fields):
            raise ValueError("groups cannot be nested")

    def fits(self, field: FormField, value: Any) -> bool:
        children = {child.id: child for child in field.fields or []}
        return (
            isinstance(value, list)
            and len(value) <= 100
            and all(
                isinstance(row, dict)
                and set(row) <= set(children)
                and all(fits(children[key], item) for key, item in row.items() if item is not None)
                for row in value
            )
        )

    def schema(self, field: FormField) -> dict[str, Any]:
        found: dict[str, Any] = {"type": "array", "items": object_schema(field.fields or [])}
        if field.min_items:
            found["minItems"] = field.min_items
        if field.max_items:
            found["maxItems"] = field.max_items
        return found

    def display(self, field: FormField, value: Any, file_names: Mapping[str, str]) -> str:
        if not isinstance(value, list):
            return str(value)
        rows = [
            "; ".join(
                f"{localised(child.label)}: {display(child, item.get(child.id), file_names)}"
                for child in field.fields or []
            )
            for item in value
            if isinstance(item, dict)
        ]
        return " | ".join(rows) or "–"

    def read(self, field: FormField, name: str, post: Posted) -> Any:
        try:
            count = max(0, min(int(post.get(f"{name}-count") or 0), 100))
        except ValueError:
            count = 0
        return [
            {
                child.id: read(child, f"{name}-{index}-{child.id}", post)
                for child in field.fields or []
            }
            for index in range(count)
        ]


KINDS: dict[str, Kind] = {
    kind.name: kind()
    for kind in (
        Text,
        LongText,
        Number,
        Money,
        Date,
        YesNo,
        Choice,
        MultipleChoice,
        PersonNumber,
        OrganisationNumber,
        Email,
        Phone,
        PostalAddress,
        PropertyDesignation,
        Attachment,
        Group,
    )
}


def kind_of(field: FormField) -> Kind:
    return KINDS[field.type]


def check_definition(field: FormField) -> None:
    """A package's field as its type needs it (ValueError otherwise); options, files and
    rows belong only to the types that use them."""
    kind = KINDS[field.type]  # FormField.known_type checked the name
    if field.options and not isinstance(kind, Choice):
        raise ValueError(f"options belong to choice fields, not to {field.type}")
    if (field.accept or field.max_size_mb or field.max_files) and not isinstance(kind, Attachment):
        raise ValueError("accept, max_size_mb and max_files belong to attachment fields")
    if field.fields and not isinstance(kind, Group):
        raise ValueError("fields belong to group fields")
    kind.check(field)


def display(field: FormField, value: Any, file_names: Mapping[str, str]) -> str:
    """One answer as text for people; a dash when there is none."""
    if value in (None, "", [], {}):
        return "–"
    return kind_of(field).display(field, value, file_names)


def read(field: FormField, name: str, post: Posted) -> Any:
    return kind_of(field).read(field, name, post)


def fits(field: FormField, value: Any) -> bool:
    """Is `value` of the shape of an answer to `field` (right or wrong)? None is no answer."""
    return value is None or kind_of(field).fits(field, value)


def field_schema(field: FormField) -> dict[str, Any]:
    found: dict[str, Any] = {"title": field.label.sv, "x-title-en": field.label.en}
    if field.help:
        found["description"] = field.help.sv
    if field.visible_if:
        condition = field.visible_if
        found["x-visible-if"] = {
            "field": condition.field,
            **(
                {"in": condition.among}
                if condition.among is not None
                else {"equals": condition.equals}
            ),
        }
    return {**found, **kind_of(field).schema(field)}


def object_schema(fields: list[FormField]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {field.id: field_schema(field) for field in fields},
        "required": [f.id for f in fields if f.required and f.visible_if is None],
        "additionalProperties": False,
    }
