import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from digigov.core.models import Organisation
from digigov.identity.models import StaffMembership

pytestmark = pytest.mark.django_db


def test_an_operator_adds_an_organisation_and_a_case_worker(monkeypatch, capsys):
    call_command(
        "organisation", "save", "--slug", "exempelby", "--name", "Exempelby kommun",
        "--kind", "kommun", "--organisationsnummer", "212000-9994", "--kommunkod", "9991",
    )  # fmt: skip
    monkeypatch.setenv("STAFF_PASSWORD", "a-long-test-password-1")
    call_command(
        "staff", "save", "--username", "hanna", "--first-name", "Hanna", "--last-name", "H",
        "--role", "exempelby:handlaggare", "--password-from-env", "STAFF_PASSWORD",
    )  # fmt: skip
    user = get_user_model().objects.get(username="hanna")
    assert user.check_password("a-long-test-password-1")
    assert list(StaffMembership.objects.filter(user=user).values_list("role", flat=True)) == [
        "handlaggare"
    ]
    call_command("organisation", "list")
    assert "exempelby\t2120009994\tkommun\tExempelby kommun" in capsys.readouterr().out


def test_a_bad_organisationsnummer_is_a_clear_error_and_writes_nothing():
    with pytest.raises(CommandError, match="Kontrollsiffran"):
        call_command(
            "organisation", "save", "--slug", "x", "--name", "X", "--kind", "myndighet",
            "--organisationsnummer", "212000-9995",
        )  # fmt: skip
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "message"),
    [("nowhere:handlaggare", "no organisation"), ("exempelby:boss", "unknown role")],
)
def test_a_bad_role_is_a_clear_error(organisation, monkeypatch, role, message):
    monkeypatch.setenv("STAFF_PASSWORD", "a-long-test-password-1")
    with pytest.raises(CommandError, match=message):
        call_command(
            "staff", "save", "--username", "x", "--first-name", "X", "--last-name", "Y",
            "--role", role, "--password-from-env", "STAFF_PASSWORD",
        )  # fmt: skip
    assert not get_user_model().objects.filter(username="x").exists()


def test_a_weak_password_is_refused(organisation, monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "123")
    with pytest.raises(CommandError, match="för kort"):
        call_command(
            "staff", "save", "--username", "x", "--first-name", "X", "--last-name", "Y",
            "--password-from-env", "STAFF_PASSWORD",
        )  # fmt: skip
