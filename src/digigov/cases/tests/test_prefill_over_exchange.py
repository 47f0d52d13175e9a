"""Starting an e-service asks the registers over the exchange, as in the demo: before
the draft's transaction opens, so the gateways (which log to the same database) are
never kept waiting, and prefill arrives."""

import pytest
from django.core.exceptions import ValidationError

from digigov.cases import actions
from digigov.conftest import register_node
from digigov.core.actors import Actor
from digigov.registers.models import RegisterAccess

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = Actor.person("199003152387", "Anna Andersson")
ERIK = Actor.person("198511224571", "Erik Lindqvist")
FATIMA = Actor.person("197206086147", "Fatima Hassan")


@pytest.fixture
def node(live_server, services, settings):
    with register_node(live_server, services["BYGGLOV"].organisation, settings) as running:
        yield running


def start(service, actor, kind="person", applicant=None):
    return actions.start_application(
        actor=actor,
        service_version=service,
        applicant_kind=kind,
        applicant_identifier=applicant or actor.identifier,
        actor_loa="http://id.elegnamnden.se/loa/1.0/loa3",
    )


def test_the_three_services_start_prefilled_over_the_exchange(node, services):
    bygglov = start(services["BYGGLOV"], ANNA)
    assert bygglov.answers == {"fastighetsbeteckning": "Exempelby Björken 1:23"}
    assert bygglov.prefilled == {
        "sources": {"fastighetsbeteckning": "property"},
        "choices": {},
        "unavailable": [],
    }

    bistand = start(services["EKONOMISKT_BISTAND"], FATIMA)
    assert bistand.answers["adress"] == {
        "street": "Parkvägen 12",
        "postal_code": "99920",
        "city": "Provstad",
    }
    assert [member["namn"] for member in bistand.answers["hushallsmedlemmar"]] == [
        "Maja Nilsson",
        "Adam Hassan",
    ]

    krogen = start(services["SERVERINGSTILLSTAND"], ERIK, kind="company", applicant="5566778899")
    assert krogen.applicant_name == "Exempelkrogen AB"
    assert krogen.answers["bolagets_namn"] == "Exempelkrogen AB"
    assert krogen.prefilled["sources"] == {
        "bolagets_namn": "company",
        "bolagets_adress": "company",
    }
    # each register was asked once per question, with the purpose, over the exchange
    assert RegisterAccess.objects.filter(subject=ANNA.identifier, register="property").count() == 1


def test_a_register_refused_is_noted_and_the_others_still_fill_in(live_server, services, settings):
    organisation = services["BYGGLOV"].organisation
    with register_node(live_server, organisation, settings, granted=("folkbokforing",)):
        bygglov = start(services["BYGGLOV"], ANNA)
        bistand = start(services["EKONOMISKT_BISTAND"], FATIMA)
    assert bygglov.answers == {}
    assert bygglov.prefilled["unavailable"] == ["property"]
    assert bistand.prefilled["unavailable"] == []
    assert bistand.answers["adress"]["city"] == "Provstad"


def test_a_company_application_is_checked_against_the_register_outside_the_transaction(
    node, services
):
    """Submitting asks the company register (over the exchange) whether the person may sign
    for the company, before the submission's transaction opens: no call in a transaction.
    (Its answers are incomplete, so the submission is then refused for them.)"""
    krogen = start(services["SERVERINGSTILLSTAND"], ERIK, kind="company", applicant="5566778899")
    with pytest.raises(ValidationError) as refused:
        actions.submit_application(
            actor=ERIK, application_id=krogen.pk, actor_loa="http://id.elegnamnden.se/loa/1.0/loa3"
        )
    assert hasattr(refused.value, "error_dict")  # the answers, not the register call
