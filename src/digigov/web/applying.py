"""Turning a package's form step into page fields, and the posted form back into answers.

Page plumbing only: what the answers mean is decided by services.answers and
stored by cases.actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext as _

from digigov.cases.models import Attachment
from digigov.registers.client import REGISTER_NAMES
from digigov.services import fields
from digigov.services.answers import visible
from digigov.services.prefill import REGISTER_OF
from digigov.services.presentation import localised as tr
from digigov.services.spec import Condition, FormField, ServicePackageSpec, Step


@dataclass
class FieldView:
    spec: FormField
    name: str
    value: Any
    error: str = ""
    condition_hint: str = ""
    items: list[list[FieldView]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # every value a register gave

    @property
    def kind(self) -> fields.Kind:
        return fields.kind_of(self.spec)

    @property
    def id(self) -> str:
        return f"id_{self.name}"

    @property
    def options(self) -> list[dict[str, Any]]:
        chosen = self.value if isinstance(self.value, list) else [self.value]
        return [
            {"value": option.value, "label": tr(option.label), "checked": option.value in chosen}
            for option in self.spec.options or []
        ]

    @property
    def address(self) -> dict[str, str]:
        return self.value if isinstance(self.value, dict) else {}

    @property
    def text_value(self) -> str:
        if self.value is None or isinstance(self.value, dict | list):
            return ""
        if isinstance(self.value, bool):
            return "ja" if self.value else "nej"
        return str(self.value)


def _condition_hint(spec: ServicePackageSpec, condition: Condition) -> str:
    source = spec.field(condition.field)
    if source is None:
        return ""
    if condition.among is not None:
        labels = {o.value: tr(o.label) for o in source.options or []}
        answer = ", ".join(labels.get(value, value) for value in condition.among)
    elif isinstance(condition.equals, bool):
        answer = _("ja") if condition.equals else _("nej")
    else:
        answer = str(condition.equals)
    return _("Svara bara om du svarat %(answer)s på frågan ”%(question)s”.") % {
        "answer": answer,
        "question": tr(source.label),
    }


def step_fields(
    spec: ServicePackageSpec,
    step: Step,
    answers: dict[str, Any],
    errors: dict[str, str],
    attachments: list[Attachment],
    prefilled: dict[str, Any] | None = None,
) -> list[FieldView]:
    """The fields to show: those visible by earlier answers, and conditional ones on this step."""
    choices = (prefilled or {}).get("choices", {})
    on_this_step = {f.id for f in step.fields}
    views = []
    for spec_field in step.fields:
        condition = spec_field.visible_if
        hint = ""
        if condition is not None:
            if condition.field in on_this_step:
                # Without JavaScript we cannot reveal it later: show it, and say when it applies.
                hint = _condition_hint(spec, condition)
            elif not visible(condition, answers):
                continue
        view = _view(
            spec_field, spec_field.id, answers.get(spec_field.id), errors, attachments, hint
        )
        view.choices = list(choices.get(spec_field.id, []))
        views.append(view)
    return views


def prefill_notes(prefilled: dict[str, Any], step: Step) -> list[dict[str, str]]:
    """What the page may say of this step's prefill: only what was filled in, from where,
    and which register could not be asked (services.prefill.Prefill.stored)."""
    sources = prefilled.get("sources", {})
    by_register: dict[str, list[str]] = {}
    for spec_field in step.fields:
        if spec_field.id in sources:
            by_register.setdefault(sources[spec_field.id], []).append(tr(spec_field.label))
    notes = [
        {
            "kind": "info",
            "text": _("%(fields)s är ifyllt från %(register)s. Ändra om något inte stämmer.")
            % {"fields": ", ".join(labels), "register": REGISTER_NAMES[register]},
        }
        for register, labels in by_register.items()
    ]
    wanted = {REGISTER_OF[f.prefill.split(".", 1)[0]] for f in step.fields if f.prefill}
    notes += [
        {
            "kind": "warning",
            "text": _(
                "Vi kunde inte hämta uppgifter från %(register)s när du började. Fyll i dem själv."
            )
            % {"register": REGISTER_NAMES[register]},
        }
        for register in prefilled.get("unavailable", [])
        if register in wanted
    ]
    return notes


def _view(
    spec_field: FormField,
    name: str,
    value: Any,
    errors: dict[str, str],
    attachments: list[Attachment],
    hint: str = "",
) -> FieldView:
    path = name.replace("-", ".")
    view = FieldView(
        spec=spec_field, name=name, value=value, error=errors.get(path, ""), condition_hint=hint
    )
    if view.kind.widget == "group":
        items = value if isinstance(value, list) else []
        if not items and (spec_field.min_items or 0) > 0:
            items = [{}]
        view.items = [
            [
                _view(
                    child,
                    f"{name}-{index}-{child.id}",
                    item.get(child.id) if isinstance(item, dict) else None,
                    errors,
                    attachments,
                )
                for child in spec_field.fields or []
            ]
            for index, item in enumerate(items)
        ]
    if view.kind.widget == "attachment":
        ids = value if isinstance(value, list) else []
        by_id = {str(a.public_id): a for a in attachments}
        view.attachments = [by_id[i] for i in ids if i in by_id]
    return view


def read_step(step: Step, post: QueryDict) -> dict[str, Any]:
    """The answers a posted step carries, each read as its field type reads a form
    (attachments excluded: they are uploads)."""
    values: dict[str, Any] = {}
    for spec_field in step.fields:
        kind = fields.kind_of(spec_field)
        if kind.widget == "attachment":
            continue
        if spec_field.id in post or kind.always_posted:
            values[spec_field.id] = kind.read(spec_field, spec_field.id, post)
    return values


def uploads(step: Step, files: Any) -> list[tuple[str, UploadedFile]]:
    found = []
    for spec_field in step.fields:
        if fields.kind_of(spec_field).widget == "attachment":
            for upload in files.getlist(spec_field.id):
                if upload.size:
                    found.append((spec_field.id, upload))
    return found
