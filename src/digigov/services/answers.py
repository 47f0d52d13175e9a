"""Checking a person's answers against a service package's form.

The same rules serve the pages (where everything arrives as text) and the API
(where it arrives as JSON), so `clean` accepts both and returns typed values.
Each answer is checked by its field type (services.fields); here are the form's
structure, conditions, required questions and groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from digigov.services.fields import Group, Invalid, kind_of
from digigov.services.spec import Condition, FormField, ServicePackageSpec, Step

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Cleaned:
    values: dict[str, Any]
    errors: dict[str, StrOrPromise]

    @property
    def ok(self) -> bool:
        return not self.errors


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


def _one(field: FormField, value: Any) -> Any:
    return kind_of(field).clean(field, value)


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
        if isinstance(kind_of(field), Group):
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
        except Invalid as invalid:
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


def first_unfinished_step(spec: ServicePackageSpec, raw: dict[str, Any]) -> Step | None:
    """Where a person continuing a draft picks up: the first step with a question still
    to answer (or an answer to mend); None when every step is done."""
    for step in spec.steps:
        if not clean_step(spec, step, raw).ok:
            return step
    return None
