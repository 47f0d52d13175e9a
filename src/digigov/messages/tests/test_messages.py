"""Messages: written only with what they tell of, from texts that name their fields, and
listed unread first."""

from __future__ import annotations

import pytest
from django.db import transaction

from digigov.conftest import ANNA
from digigov.core.actors import Actor
from digigov.messages import actions, queries, texts
from digigov.messages.models import Message

pytestmark = pytest.mark.django_db
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


def test_unread_come_first_then_the_newest(organisation):
    def send(n: int) -> Message:
        with transaction.atomic():
            return actions.send(
                actor=Actor.system("tests"),
                organisation=organisation,
                recipient=ANNA,
                message_type="case.completion_requested",
                data={
                    "case_number": f"BN 2026/0000{n}",
                    "service_sv": "Bygglov",
                    "service_en": "Building permit",
                    "organisation": organisation.name,
                    "message": "x",
                    "due_on": "2026-12-31",
                },
                loa=LOA3,
            )

    first, second, third = send(1), send(2), send(3)
    actions.mark_read(actor=Actor.person(ANNA), message=third)
    assert list(queries.inbox_of(ANNA, LOA3)) == [second, first, third]


@pytest.mark.django_db(transaction=True)
def test_a_message_is_sent_only_with_what_it_tells_of(organisation):
    with pytest.raises(RuntimeError, match="caller's transaction"):
        actions.send(
            actor=Actor.system("tests"),
            organisation=organisation,
            recipient=ANNA,
            message_type="case.completion_requested",
            data={},
            loa=LOA3,
        )
    with transaction.atomic(), pytest.raises(texts.UnknownText, match="due_on"):
        actions.send(
            actor=Actor.system("tests"),
            organisation=organisation,
            recipient=ANNA,
            message_type="case.completion_requested",
            data={"case_number": "BN 1", "service_sv": "", "service_en": "", "organisation": ""}
            | {"message": ""},
            loa=LOA3,
        )
    assert not Message.objects.exists()


def test_every_text_names_the_fields_it_uses_in_both_languages():
    for message_type, text in texts.TEXTS.items():
        assert text.placeholders() <= set(text.fields), message_type
        assert set(text.subject) == set(text.body) == {"sv", "en"}, message_type
