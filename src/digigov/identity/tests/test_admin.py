"""The admin for service administrators: their own organisations only, every change
through an action, and one way to sign in."""

import io

import pytest
from django.core.management import call_command

from digigov import cli
from digigov.conftest import make_staff
from digigov.core.models import AuditEntry, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def alva(client, organisation, other_organisation):
    """Exempelby's service administrator."""
    client.force_login(make_staff("alva", [(organisation, "administrator")]))
    return client


def test_a_service_administrator_sees_and_changes_only_their_organisation(
    alva, organisation, other_organisation
):
    listing = alva.get("/admin/core/organisation/").content.decode()
    assert "Exempelby kommun" in listing and "Provstad kommun" not in listing
    assert alva.get(f"/admin/core/organisation/{other_organisation.pk}/change/").status_code in {
        302,
        403,
        404,
    }
    response = alva.post(
        f"/admin/core/organisation/{organisation.pk}/change/",
        {"name_staff_in_data_tracker": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Organisation.objects.get(pk=organisation.pk).name_staff_in_data_tracker
    changed = AuditEntry.objects.filter(action="organisation.updated", actor="staff:alva")
    assert changed.count() == 1


def test_a_case_worker_does_not_reach_the_admin(client, case_worker):
    client.force_login(case_worker)
    assert client.get("/admin/core/organisation/").status_code == 302


def test_the_admin_signs_in_through_the_staff_sign_in(client):
    response = client.get("/admin/login/?next=/admin/core/organisation/")
    assert response.status_code == 302
    assert response["Location"] == "/personal/logga-in/?next=%2Fadmin%2Fcore%2Forganisation%2F"


def test_staff_accounts_are_kept_one_way(capsys, monkeypatch):
    for command in ("createsuperuser", "changepassword"):
        with pytest.raises(SystemExit) as stopped:
            cli.main(["digigov", command])
        assert stopped.value.code == 2
        assert "digigov staff save" in capsys.readouterr().err
    monkeypatch.setenv("OPERATOR_PASSWORD", "a-long-operator-password-1")
    call_command(
        "staff",
        "save",
        "--username",
        "operator",
        "--first-name",
        "O",
        "--last-name",
        "P",
        "--superuser",
        "--password-from-env",
        "OPERATOR_PASSWORD",
        stdout=io.StringIO(),
    )
    created = AuditEntry.objects.get(action="staff.account_created")
    assert created.data == {"username": "operator", "new_password": True, "superuser": True}
    assert "a-long-operator-password-1" not in str(created.data)
