"""The demo data: loaded twice without change, with cases to try the workspace on."""

import pytest

from digigov.cases import queries
from digigov.cases.models import Case
from digigov.web import demo

pytestmark = pytest.mark.django_db


def test_the_demo_loads_twice_and_has_annas_two_cases():
    first = demo.load()
    assert first["cases"] == 2
    again = demo.load()
    assert again["cases"] == 0 and Case.objects.count() == 2
    cases = {c.organisation.slug: c for c in queries.cases_of("199003152387")}
    assert (
        cases["exempelby"].state == "vantar_komplettering" and cases["exempelby"].resident_must_act
    )
    assert queries.open_request(cases["exempelby"]) is not None
    assert cases["provstad"].state == "under_handlaggning"
    assert cases["exempelby"].registrar_number.startswith("BN ")
