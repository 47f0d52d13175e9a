import pytest
from django.core.exceptions import ValidationError

from digigov.core import actions
from digigov.core.models import AuditEntry, Organisation


def save(actor, **overrides):
    spec = {
        "slug": "exempelby",
        "name": "Exempelby kommun",
        "kind": "kommun",
        "organisation_number": "2120009994",
        "municipality_code": "9991",
        **overrides,
    }
    return actions.save_organisation(actor=actor, **spec)


@pytest.mark.django_db
def test_saving_is_idempotent(system_actor):
    first = save(system_actor)
    second = save(system_actor)
    assert first.pk == second.pk
    assert AuditEntry.objects.filter(action="organisation.created").count() == 1
    assert AuditEntry.objects.filter(action="organisation.updated").count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"organisation_number": "212000-9995"},  # wrong check digit
        {"organisation_number": "19900315-2387"},  # a personnummer
        {"municipality_code": "99"},
        {"municipality_code": ""},
        {"kind": "county"},
    ],
)
def test_bad_input_writes_nothing(system_actor, overrides):
    with pytest.raises(ValidationError):
        save(system_actor, **overrides)
    assert Organisation.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_an_agency_has_no_municipality_code(system_actor):
    agency = save(
        system_actor,
        slug="verket",
        kind="myndighet",
        organisation_number="202100-9978",
        municipality_code="9991",
    )
    assert agency.municipality_code == ""
