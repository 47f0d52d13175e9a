"""What each kind of message says, in Swedish and English, by version: the one place a
message's words are kept. A text names the values it is given (`fields`); a message is
refused when one is missing, so nothing is sent with a hole in it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.template import Context, Engine

_ENGINE = Engine(autoescape=False)  # plain text; pages escape it when they show it
_PLACEHOLDER = re.compile(r"{{\s*(\w+)")


@dataclass(frozen=True)
class Text:
    version: int
    fields: tuple[str, ...]
    subject: dict[str, str]  # language to template
    body: dict[str, str]

    def placeholders(self) -> set[str]:
        every = [*self.subject.values(), *self.body.values()]
        return {name for text in every for name in _PLACEHOLDER.findall(text)}


TEXTS: dict[str, Text] = {
    "case.completion_requested": Text(
        version=1,
        fields=("case_number", "service_sv", "service_en", "organisation", "message", "due_on"),
        subject={
            "sv": "Begäran om komplettering i ärende {{ case_number }}",
            "en": "Request for completion in case {{ case_number }}",
        },
        body={
            "sv": (
                "{{ organisation }} behöver fler uppgifter i ditt ärende {{ service_sv }} "
                "({{ case_number }}).\n\n{{ message }}\n\n"
                "Svara senast {{ due_on }} på ärendets sida på Mina sidor."
            ),
            "en": (
                "{{ organisation }} needs more information in your case {{ service_en }} "
                "({{ case_number }}).\n\n{{ message }}\n\n"
                "Answer by {{ due_on }} on the case's page on My pages."
            ),
        },
    ),
    "application.received": Text(
        version=1,
        fields=("case_number", "service_sv", "service_en", "organisation", "reference"),
        subject={
            "sv": "Vi har tagit emot din ansökan ({{ case_number }})",
            "en": "We have received your application ({{ case_number }})",
        },
        body={
            "sv": (
                "{{ organisation }} har tagit emot din ansökan {{ service_sv }}. Ärendet har "
                "diarienummer {{ case_number }} och ditt kvittensnummer är {{ reference }}.\n\n"
                "Du kan följa ärendet på Mina sidor."
            ),
            "en": (
                "{{ organisation }} has received your application {{ service_en }}. The case "
                "number is {{ case_number }} and your receipt number {{ reference }}.\n\n"
                "You can follow the case on My pages."
            ),
        },
    ),
    "case.communication": Text(
        version=1,
        fields=("case_number", "service_sv", "service_en", "organisation", "message", "due_on"),
        subject={
            "sv": "Du får yttra dig i ärende {{ case_number }}",
            "en": "You may comment in case {{ case_number }}",
        },
        body={
            "sv": (
                "Innan {{ organisation }} beslutar i ditt ärende {{ service_sv }} "
                "({{ case_number }}) får du yttra dig.\n\n{{ message }}\n\n"
                "Svara senast {{ due_on }} på ärendets sida på Mina sidor."
            ),
            "en": (
                "Before {{ organisation }} decides your case {{ service_en }} "
                "({{ case_number }}) you may comment.\n\n{{ message }}\n\n"
                "Answer by {{ due_on }} on the case's page on My pages."
            ),
        },
    ),
    "case.deadline_extended": Text(
        version=1,
        fields=(
            "case_number",
            "service_sv",
            "service_en",
            "organisation",
            "days",
            "deadline",
            "reason",
        ),
        subject={
            "sv": "Handläggningstiden är förlängd i ärende {{ case_number }}",
            "en": "The time for your case {{ case_number }} is extended",
        },
        body={
            "sv": (
                "{{ organisation }} har förlängt handläggningstiden för ditt ärende "
                "{{ service_sv }} ({{ case_number }}) med {{ days }} dagar, till "
                "{{ deadline }}.\n\nSkäl: {{ reason }}"
            ),
            "en": (
                "{{ organisation }} has extended the time for your case {{ service_en }} "
                "({{ case_number }}) by {{ days }} days, to {{ deadline }}.\n\n"
                "Reason: {{ reason }}"
            ),
        },
    ),
    "case.decided": Text(
        version=1,
        fields=(
            "case_number",
            "service_sv",
            "service_en",
            "organisation",
            "outcome_sv",
            "outcome_en",
        ),
        subject={
            "sv": "Beslut i ärende {{ case_number }}",
            "en": "Decision in case {{ case_number }}",
        },
        body={
            "sv": (
                "{{ organisation }} har beslutat i ditt ärende {{ service_sv }} "
                "({{ case_number }}): {{ outcome_sv }}.\n\nBeslutet, med skälen och hur du "
                "överklagar, finns på ärendets sida på Mina sidor."
            ),
            "en": (
                "{{ organisation }} has decided your case {{ service_en }} "
                "({{ case_number }}): {{ outcome_en }}.\n\nThe decision, with its reasons "
                "and how to appeal, is on the case's page on My pages."
            ),
        },
    ),
}


class UnknownText(ValueError):
    """No such message type, or values missing for its text: a fault in the caller."""


@dataclass(frozen=True)
class Rendered:
    version: int
    subject: dict[str, str]
    body: dict[str, str]


def render(message_type: str, data: dict[str, Any]) -> Rendered:
    text = TEXTS.get(message_type)
    if text is None:
        raise UnknownText(f"no text for the message type {message_type!r}")
    missing = set(text.fields) - data.keys()
    if missing:
        raise UnknownText(f"{message_type} needs {sorted(missing)}")
    context = Context({name: data[name] for name in text.fields})

    def fill(template: str) -> str:
        return _ENGINE.from_string(template).render(context).strip()

    return Rendered(
        text.version,
        {lang: fill(t) for lang, t in text.subject.items()},
        {lang: fill(t) for lang, t in text.body.items()},
    )
