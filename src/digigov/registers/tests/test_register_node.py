"""The base registers served over the exchange, and asked by e-services through it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from digigov.conftest import register_node
from digigov.exchange.models import MessageLogEntry
from digigov.registers.client import ExchangeRegisters, RegisterUnavailable, registers
from digigov.registers.models import RegisterAccess

pytestmark = pytest.mark.django_db(transaction=True)
ANNA, LEILA, FATIMA = "199003152387", "198807192383", "197206086147"


@pytest.fixture
def node(live_server, organisation, settings) -> Iterator[dict[str, Any]]:
    """Exempelby asks; the register agency serves its registers behind its gateway, and
    grants Exempelby the population and property registers but not the company register."""
    with register_node(
        live_server, organisation, settings, granted=("folkbokforing", "fastighet")
    ) as running:
        yield running


def test_prefill_reads_the_population_register_over_the_exchange(node):
    client = registers(node["organisation"], user=ANNA)
    assert isinstance(client, ExchangeRegisters)
    anna = client.person(ANNA, purpose="Förifyllnad av e-tjänst BYGGLOV")
    assert anna.name == "Anna Andersson" and anna.address.city == "Exempelby"
    assert client.properties_owned_by(ANNA, purpose="Förifyllnad av e-tjänst BYGGLOV") == [
        "Exempelby Björken 1:23"
    ]
    assert [p.name for p in client.household(FATIMA, purpose="Förifyllnad")] == [
        "Maja Nilsson",
        "Adam Hassan",
    ]
    [access, *_] = RegisterAccess.objects.filter(subject=ANNA).order_by("pk")
    assert access.client == "SE-TEST/MUN/2120009994/arenden"
    assert access.client_name == "Exempelby kommun"
    assert access.purpose == "Förifyllnad av e-tjänst BYGGLOV"
    assert access.user_id == f"SE{ANNA}" and access.register == "population"
    assert MessageLogEntry.objects.filter(
        side="server", issue="Förifyllnad av e-tjänst BYGGLOV"
    ).exists()


def test_a_protected_identity_is_answered_without_address_or_household(node):
    client = registers(node["organisation"], user=LEILA)
    leila = client.person(LEILA, purpose="Förifyllnad")
    assert leila.name == "Leila Karimi"
    assert (leila.address.street, leila.address.postal_code, leila.address.city) == ("", "", "")
    assert client.household(LEILA, purpose="Förifyllnad") == []


def test_a_service_without_an_access_right_is_refused(node):
    client = registers(node["organisation"], user=ANNA)
    with pytest.raises(RegisterUnavailable) as refused:
        client.company("5566778899", purpose="Ansökan SERVERINGSTILLSTAND")
    assert "AccessDenied" in str(refused.value)


def test_the_registers_answer_only_their_gateway(node):
    direct = httpx.get(
        f"{node['live_server'].url}/register/api/folkbokforing/personer/{ANNA}", timeout=10
    )
    assert direct.status_code == 403
    forged = httpx.get(
        f"{node['live_server'].url}/register/api/folkbokforing/personer/{ANNA}",
        headers={"X-Digigov-Gateway-Token": "guess"},
        timeout=10,
    )
    assert forged.status_code == 403
    assert not RegisterAccess.objects.exists()
