"""A JSON Schema (2020-12) for a service's answers, generated from its package by the
field types (services.fields)."""

from __future__ import annotations

from typing import Any

from digigov.services.fields import object_schema
from digigov.services.spec import ServicePackageSpec


def answers_schema(spec: ServicePackageSpec) -> dict[str, Any]:
    """The shape of a complete set of answers. Conditional questions carry x-visible-if."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:digigov:service:{spec.code}:{spec.version}",
        "title": spec.name.sv,
        "x-title-en": spec.name.en,
        **object_schema(spec.all_fields()),
    }
