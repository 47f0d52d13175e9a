"""The Mina ärenden page: every organisation's cases for the signed-in person, grouped."""

from __future__ import annotations

import re

import pytest

from digigov.conftest import ANNA, sign_in_resident
from digigov.core.actors import Actor
from digigov.mycases import actions
from digigov.mycases.models import HubQuestion

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def sections(html: str) -> dict[str, str]:
    """The page's three groups, by their heading's id."""
    found = {}
    for name, following in (
        ("gora-nagot", "pagaende"),
        ("pagaende", "avslutade"),
        ("avslutade", None),
    ):
        start = html.index(f'id="{name}"')
        end = html.index(f'id="{following}"') if following else len(html)
        found[name] = html[start:end]
    return found


def test_cases_at_two_municipalities_on_one_page_grouped(client, cases_at_two_municipalities):
    waiting, handled, decided = cases_at_two_municipalities
    sign_in_resident(client, ANNA)
    page = client.get("/mina-sidor/mina-arenden/")
    assert page.status_code == 200
    html = page.content.decode()
    groups = sections(html)
    assert waiting.registrar_number in groups["gora-nagot"]
    assert "Exempelby kommun" in groups["gora-nagot"]
    assert handled.registrar_number in groups["pagaende"]
    assert "Provstad kommun" in groups["pagaende"]
    assert decided.registrar_number in groups["avslutade"]
    for case in (waiting, handled, decided):
        assert f"/mina-sidor/arenden/{case.public_id}/" in html
    assert "kunde inte svara" not in html
    question = HubQuestion.objects.get()
    assert (question.asker, question.user, question.status) == ("portal", ANNA, 200)


def test_an_organisation_that_cannot_answer_is_named_and_the_others_shown(
    client, cases_at_two_municipalities, other_organisation
):
    waiting, handled, _decided = cases_at_two_municipalities
    actions.set_producer_paused(actor=SYSTEM, organisation=other_organisation, paused=True)
    sign_in_resident(client, ANNA)
    html = client.get("/mina-sidor/mina-arenden/").content.decode()
    assert f"/mina-sidor/arenden/{waiting.public_id}/" in html
    assert f"/mina-sidor/arenden/{handled.public_id}/" not in html
    notice = re.search(
        r'<div class="message message-warning" role="status">(.*?)</div>', html, re.S
    )
    assert notice is not None
    assert "Provstad kommun kunde inte svara just nu" in notice.group(1)
    assert HubQuestion.objects.get().status == 206


def test_nobody_sees_anothers_cases(client, cases_at_two_municipalities):
    sign_in_resident(client, "198511224571")
    html = client.get("/mina-sidor/mina-arenden/").content.decode()
    for case in cases_at_two_municipalities:
        assert str(case.public_id) not in html
    assert "Inget ärende väntar på dig." in html


def test_signed_out_goes_to_sign_in(client):
    answer = client.get("/mina-sidor/mina-arenden/")
    assert answer.status_code == 302
    assert "/logga-in" in answer["Location"] or "next=" in answer["Location"]
