"""Answers as text for people: the check-your-answers page, receipts and decisions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from digigov.services.answers import visible
from digigov.services.spec import FormField, ServicePackageSpec


def localised(text: Any) -> str:
    """Pick the current language from a {sv, en} text (a package's Text or a dict)."""
    if text is None:
        return ""
    language = "en" if (get_language() or "sv").startswith("en") else "sv"
    if isinstance(text, dict):
        return str(text.get(language) or text.get("sv") or "")
    return str(getattr(text, language, "") or getattr(text, "sv", ""))


def display(field: FormField, value: Any, file_names: Mapping[str, str]) -> str:
    """One answer as text."""
    if value in (None, "", [], {}):
        return "–"
    kind = field.type
    if kind == "yes_no":
        truthy = value is True or str(value).lower() in {"ja", "true", "yes", "1"}
        return _("Ja") if truthy else _("Nej")
    if kind in {"choice", "multiple_choice"}:
        labels = {o.value: localised(o.label) for o in field.options or []}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if kind == "postal_address" and isinstance(value, dict):
        return f"{value.get('street', '')}, {value.get('postal_code', '')} {value.get('city', '')}"
    if kind == "attachment":
        return ", ".join(file_names[v] for v in value if v in file_names) or "–"
    if kind == "group" and isinstance(value, list):
        rows = [
            "; ".join(
                f"{localised(child.label)}: {display(child, item.get(child.id), file_names)}"
                for child in field.fields or []
            )
            for item in value
            if isinstance(item, dict)
        ]
        return " | ".join(rows) or "–"
    if kind in {"number", "money"} and isinstance(value, int | float):
        return f"{value:,}".replace(",", " ").replace(".", ",")
    return str(value)


def summary(
    spec: ServicePackageSpec, answers: Mapping[str, Any], file_names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Every question that applies, step by step, with the answer as text."""
    steps = []
    for step in spec.steps:
        rows = [
            {
                "field": field.id,
                "label": localised(field.label),
                "value": display(field, answers.get(field.id), file_names),
            }
            for field in step.fields
            if visible(field.visible_if, dict(answers))
        ]
        steps.append({"id": step.id, "title": localised(step.title), "rows": rows})
    return steps
