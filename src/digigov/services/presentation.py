"""Answers as text for people: the check-your-answers page, receipts and decisions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from digigov.services.answers import visible
from digigov.services.fields import display
from digigov.services.spec import ServicePackageSpec
from digigov.services.texts import localised

__all__ = ["display", "localised", "summary"]


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
