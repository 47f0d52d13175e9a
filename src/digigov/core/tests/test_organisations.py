import pytest
from django.core.exceptions import ValidationError

from digigov.core import actions, queries
from digigov.core.models import AuditEntry, Organisation
from digigov.identity.models import StaffMembership


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
        system_actor, slug="verket", kind="myndighet", organisation_number="202100-9978",
        municipality_code="9991",
    )
    assert agency.municipality_code == ""


def test_scoped_reads_return_only_the_organisations_rows(organisation, other_organisation):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create(username="u")
    StaffMembership.objects.create(user=user, organisation=organisation, role="handlaggare")
    StaffMembership.objects.create(user=user, organisation=other_organisation, role="registrator")
    rows = queries.scoped(StaffMembership, organisation)
    assert [m.role for m in rows] == ["handlaggare"]
    assert [m.role for m in StaffMembership.objects.for_organisation(other_organisation)] == [
        "registrator"
    ]


def test_scoped_refuses_a_model_that_belongs_to_no_organisation(organisation):
    with pytest.raises(TypeError):
        queries.scoped(AuditEntry, organisation)  # type: ignore[type-var]
