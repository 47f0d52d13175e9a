import pytest

from digigov.core import queries
from digigov.core.models import AuditEntry
from digigov.identity.models import StaffMembership


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
