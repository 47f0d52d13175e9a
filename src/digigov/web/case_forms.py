"""Forms of the case pages. They only shape input; cases.actions decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from digigov.services.spec import Outcome


class QueueForm(forms.Form):
    service = forms.ChoiceField(label=_("E-tjänst"), required=False)
    state = forms.ChoiceField(label=_("Status"), required=False)
    assigned = forms.ChoiceField(label=_("Handläggare"), required=False)
    due = forms.ChoiceField(
        label=_("Tidsfrist"),
        required=False,
        choices=[
            ("", _("Alla pågående")),
            ("near", _("Nära tidsfristen")),
            ("late", _("Tidsfristen passerad")),
            ("finished", _("Avgjorda")),
        ],
    )

    def __init__(
        self,
        data: Any,
        *,
        services: list[tuple[str, str]],
        states: list[tuple[str, str]],
        workers: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        self.fields["service"].choices = [("", _("Alla")), *services]  # type: ignore[attr-defined]
        self.fields["state"].choices = [("", _("Alla")), *states]  # type: ignore[attr-defined]
        self.fields["assigned"].choices = [  # type: ignore[attr-defined]
            ("", _("Alla")),
            ("me", _("Mina ärenden")),
            ("none", _("Ingen tilldelad")),
            *workers,
        ]


class Revisioned(forms.Form):
    # The case's revision when the page was shown: a save based on an older one is refused.
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StepForm(Revisioned):
    """One step of the process; which fields show depends on what the step does."""

    message = forms.CharField(
        label=_("Meddelande till den sökande"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20000,
    )
    due_on = forms.DateField(
        label=_("Svara senast"),
        help_text=_("Datum, till exempel 2026-12-31"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    outcome = forms.ChoiceField(label=_("Beslut"), required=False, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("Skäl för beslutet"),
        help_text=_("Förvaltningslagen 32 §: vilka omständigheter och regler beslutet bygger på."),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
    )

    # What each kind of step asks for. All of it is needed, but the action says so (its
    # messages are the rule's own): the form only marks the fields as asked, so they
    # are not shown as optional.
    FIELDS_OF = {
        "request_completion": ("message", "due_on"),
        "communicate": ("message", "due_on"),
        "answer": ("message",),
        "decide": ("outcome", "reasons"),
    }

    def __init__(
        self, *args: Any, does: str, outcomes: list[Outcome], language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            (o.id, o.label.en if language == "en" else o.label.sv) for o in outcomes
        ]
        asked = self.FIELDS_OF.get(does, ())
        for name in ("message", "due_on", "outcome", "reasons"):
            if name in asked:
                self.fields[name].asked = True  # type: ignore[attr-defined]
            else:
                del self.fields[name]


class AssignForm(Revisioned):
    assigned_to = forms.ChoiceField(label=_("Handläggare"), required=False)

    def __init__(self, *args: Any, workers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].choices = [("", _("Ingen")), *workers]  # type: ignore[attr-defined]


class ExtendForm(Revisioned):
    days = forms.IntegerField(label=_("Förläng med antal dagar"), min_value=1, max_value=366)
    reason = forms.CharField(
        label=_("Skäl till den sökande"),
        help_text=_("Den sökande får veta skälet."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; their content is checked by cases.actions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Ditt svar"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
    )
    attachments = MultipleFileField(
        label=_("Bifoga filer"),
        help_text=_("PDF, PNG eller JPG, högst 20 MB per fil och 10 filer."),
        required=False,
    )
