"""The demo data: loaded twice without change, with cases to try the workspace on."""

import pytest

from digigov.cases import queries
from digigov.cases.models import Case
from digigov.web import demo

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_and_has_its_cases():
    first = demo.load()
    assert first["cases"] == 3
    again = demo.load()
    assert again["cases"] == 0 and Case.objects.count() == 3
    cases = {c.organisation.slug: c for c in queries.cases_of("199003152387")}
    assert (
        cases["exempelby"].state == "vantar_komplettering" and cases["exempelby"].resident_must_act
    )
    assert queries.open_request(cases["exempelby"]) is not None
    assert cases["provstad"].state == "under_handlaggning"
    assert cases["exempelby"].registrar_number.startswith("BN ")
    # Erik's licence, whose decision is signed, being assessed
    licence = Case.objects.get(service_code="SERVERINGSTILLSTAND")
    assert licence.registrar_number.startswith("TN ") and licence.state == "under_utredning"
    # Provstad Bygg's application, signed by Anna, waiting for Gunnel
    [waiting] = queries.awaiting_signature_of("192507043327")
    assert waiting.applicant_identifier == "5599112231"


def test_a_first_start_stopped_halfway_is_finished_by_the_next():
    from digigov.exchange.models import LocalGateway, LocalService, VerifiedConfiguration
    from digigov.mycases import hub

    def stops_at_the_second_gateway(index):
        if index == 1:
            raise KeyboardInterrupt  # Ctrl-C during the first start
        return demo.gateway_ports(8000, index)

    with pytest.raises(KeyboardInterrupt):
        demo.load(ports=stops_at_the_second_gateway)
    assert LocalGateway.objects.count() == 1 and not VerifiedConfiguration.objects.exists()
    demo.load()
    assert LocalGateway.objects.count() == 3
    assert VerifiedConfiguration.objects.exists()
    assert LocalService.objects.filter(code=hub.HUB_SERVICE).exists()
    assert Case.objects.count() == 3


def test_the_demo_loads_before_its_gateways_run(settings):
    """`digigov demo` asks the registers over the exchange, and loads its data before the
    gateways start: the company applications (Provstad Bygg's, Exempelkrogen's) are filed
    from the registers the installation holds."""
    settings.REGISTERS = "SE-DEMO/GOV/2021009978/register"
    assert demo.load()["cases"] == 3
    assert Case.objects.get(service_code="SERVERINGSTILLSTAND").applicant_name == "Exempelkrogen AB"
