"""The BankID simulator names a person as the population register does (the register
tells the simulator where to look when the installation keeps one)."""

import time

import pytest

from digigov.identity.bankid import client, qr
from digigov.identity.bankid.simulator import actions
from digigov.registers.models import PopulationRecord

pytestmark = pytest.mark.django_db(transaction=True)


def test_names_come_from_the_population_register(bankid_simulator):
    PopulationRecord.objects.create(
        personal_identity_number="198511224571",
        given_name="Erik Johan",
        surname="Lindqvist",
        street="Storgatan 1",
        postal_code="12345",
        city="Exempelby",
        municipality_code="0180",
        household="h1",
    )
    order = client.auth("192.0.2.10")
    started = time.time()
    text = qr.data(order.qr_start_token, order.qr_start_secret, int(time.time() - started))
    actions.scan(text, "198511224571", "192.0.2.20")
    actions.approve(order.order_ref, "198511224571")
    assert client.collect(order.order_ref).completion["user"]["givenName"] == "Erik Johan"
