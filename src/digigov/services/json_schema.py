"""A JSON Schema (2020-12) for a service's answers, generated from its package."""

from __future__ import annotations

from typing import Any

from digigov.services.answers import PHONE, POSTAL_CODE, PROPERTY_DESIGNATION
from digigov.services.spec import FormField, ServicePackageSpec

PERSONNUMMER = r"^(\d{2})?\d{6}[-+]?\d{4}$"
ORGANISATIONSNUMMER = r"^(16)?\d{6}-?\d{4}$"


def _field_schema(field: FormField) -> dict[str, Any]:
    kind = field.type
    base: dict[str, Any] = {"title": field.label.sv, "x-title-en": field.label.en}
    if field.help:
        base["description"] = field.help.sv
    if field.visible_if:
        condition = field.visible_if
        base["x-visible-if"] = {
            "field": condition.field,
            **(
                {"in": condition.among}
                if condition.among is not None
                else {"equals": condition.equals}
            ),
        }
    if kind in {"text", "long_text"}:
        schema: dict[str, Any] = {"type": "string"}
        if field.min_length:
            schema["minLength"] = field.min_length
        schema["maxLength"] = field.max_length or (4000 if kind == "long_text" else 200)
        if field.pattern:
            schema["pattern"] = field.pattern
    elif kind in {"number", "money"}:
        schema = {"type": "number"}
        if kind == "money":
            schema["multipleOf"] = 0.01
        if field.minimum is not None:
            schema["minimum"] = field.minimum
        if field.maximum is not None:
            schema["maximum"] = field.maximum
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "yes_no":
        schema = {"type": "boolean"}
    elif kind == "choice":
        schema = {"type": "string", "enum": [o.value for o in field.options or []]}
    elif kind == "multiple_choice":
        schema = {
            "type": "array",
            "items": {"type": "string", "enum": [o.value for o in field.options or []]},
            "uniqueItems": True,
        }
    elif kind == "personnummer":
        schema = {"type": "string", "pattern": PERSONNUMMER}
    elif kind == "organisationsnummer":
        schema = {"type": "string", "pattern": ORGANISATIONSNUMMER}
    elif kind == "email":
        schema = {"type": "string", "format": "email"}
    elif kind == "phone":
        schema = {"type": "string", "pattern": PHONE.pattern}
    elif kind == "property_designation":
        schema = {"type": "string", "pattern": PROPERTY_DESIGNATION.pattern}
    elif kind == "postal_address":
        schema = {
            "type": "object",
            "properties": {
                "street": {"type": "string", "maxLength": 200},
                "postal_code": {"type": "string", "pattern": POSTAL_CODE.pattern},
                "city": {"type": "string", "maxLength": 200},
            },
            "required": ["street", "postal_code", "city"],
            "additionalProperties": False,
        }
    elif kind == "attachment":
        schema = {
            "type": "array",
            "items": {"type": "string", "format": "uuid"},
            "maxItems": field.max_files,
            "x-accept": field.accept,
            "x-max-size-mb": field.max_size_mb,
            "description": "Ids of attachments uploaded to this application for this field.",
        }
    else:  # group
        schema = {
            "type": "array",
            "items": _object(field.fields or []),
        }
        if field.min_items:
            schema["minItems"] = field.min_items
        if field.max_items:
            schema["maxItems"] = field.max_items
    return {**base, **schema}


def _object(fields: list[FormField]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {field.id: _field_schema(field) for field in fields},
        "required": [f.id for f in fields if f.required and f.visible_if is None],
        "additionalProperties": False,
    }


def answers_schema(spec: ServicePackageSpec) -> dict[str, Any]:
    """The shape of a complete set of answers. Conditional questions carry x-visible-if."""
    schema = _object(spec.all_fields())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:digigov:service:{spec.code}:{spec.version}",
        "title": spec.name.sv,
        "x-title-en": spec.name.en,
        **schema,
    }
