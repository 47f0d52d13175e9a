from django.test import override_settings
from django.urls import reverse

from digigov.conftest import STAFF_PASSWORD, make_staff
from digigov.core.models import AuditEntry
from digigov.identity.models import FailedStaffSignIn, StaffMembership
from digigov.identity.queries import ADDRESS_FACTOR


def sign_in(client, username="hanna", password=STAFF_PASSWORD, **extra):
    return client.post(
        reverse("identity:staff-login"), {"username": username, "password": password}, **extra
    )


def test_staff_sign_in_and_see_only_their_own_roles(client, case_worker, other_organisation):
    make_staff("per", [(other_organisation, "registrator")])
    response = sign_in(client)
    assert response.status_code == 302
    page = client.get(reverse("web:workspace")).content.decode()
    assert "Exempelby kommun" in page
    assert "Handläggare" in page
    assert "Provstad kommun" not in page
    assert AuditEntry.objects.filter(action="staff.signed_in", actor="staff:hanna").count() == 1


def test_a_wrong_password_gets_a_clear_message_and_is_counted(client, case_worker):
    response = sign_in(client, password="wrong")
    assert response.status_code == 400
    assert "Fel användarnamn eller lösenord" in response.content.decode()
    assert FailedStaffSignIn.objects.filter(username="hanna").count() == 1


def test_an_empty_form_gets_field_errors(client, db):
    response = client.post(reverse("identity:staff-login"), {})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_username"' in body  # the error summary links to the field
    assert 'aria-invalid="true"' in body


@override_settings(STAFF_LOGIN_ATTEMPTS=3)
def test_too_many_failures_lock_the_account_even_with_the_right_password(client, case_worker):
    for _ in range(3):
        assert sign_in(client, password="wrong").status_code == 400
    response = sign_in(client)
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.content.decode()
    assert client.get(reverse("web:workspace")).status_code == 302  # not signed in


@override_settings(STAFF_LOGIN_ATTEMPTS=2)
def test_guessing_across_accounts_from_one_address_is_throttled(client, case_worker):
    for n in range(2 * ADDRESS_FACTOR):
        sign_in(client, username=f"guess{n}", password="wrong")
    assert sign_in(client).status_code == 429


@override_settings(STAFF_LOGIN_ATTEMPTS=3)
def test_a_stranger_cannot_lock_a_staff_member_out(client, case_worker):
    for _ in range(10):
        sign_in(client, password="wrong", REMOTE_ADDR="203.0.113.66")
    assert sign_in(client, password="wrong", REMOTE_ADDR="203.0.113.66").status_code == 429
    assert sign_in(client, REMOTE_ADDR="198.51.100.7").status_code == 302


@override_settings(STAFF_LOGIN_ATTEMPTS=2, PROXY_COUNT=1)
def test_behind_the_proxy_each_client_is_its_own_address(client, case_worker, organisation):
    """Every request comes from the proxy (10.0.0.1); the client is who the proxy saw. An
    office guessing across accounts is stopped, but not for those who work from it."""
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    office = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert sign_in(client, **office).status_code == 302  # Hanna works from the office
    client.post(reverse("identity:staff-logout"))
    make_staff("per", [(organisation, "registrator")])
    for n in range(2 * ADDRESS_FACTOR):
        # what a client writes to the left of the proxy's entry is not believed
        sign_in(client, username=f"guess{n}", password="wrong", **proxy,
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")  # fmt: skip
    assert FailedStaffSignIn.objects.filter(client_address="203.0.113.9").count() == 40
    assert sign_in(client, username="per", **office).status_code == 429
    assert (
        sign_in(client, username="per", **proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code
        == 302
    )
    client.post(reverse("identity:staff-logout"))
    assert sign_in(client, **office).status_code == 302


def test_the_admin_has_no_sign_in_of_its_own(client, case_worker):
    """/admin/login/ sends to the staff sign-in (its throttle and audit); it takes no password."""
    answer = client.post("/admin/login/", {"username": "hanna", "password": STAFF_PASSWORD})
    assert answer.status_code == 405
    assert client.get("/admin/").status_code == 302


def test_the_workspace_needs_a_staff_sign_in(client, db):
    response = client.get(reverse("web:workspace"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:staff-login"))


def test_saving_a_staff_account_twice_changes_nothing(case_worker, organisation):
    before = AuditEntry.objects.count()
    make_staff("hanna", [(organisation, "handlaggare")])
    assert StaffMembership.objects.filter(user=case_worker).count() == 1
    assert AuditEntry.objects.count() == before


def test_changing_roles_audits_each_grant_and_revocation(case_worker, organisation):
    make_staff("hanna", [(organisation, "registrator")])
    assert list(
        AuditEntry.objects.filter(action__startswith="staff.role_").values_list("action", "data")
    ) == [
        ("staff.role_granted", {"username": "hanna", "role": "handlaggare"}),
        ("staff.role_revoked", {"username": "hanna", "role": "handlaggare"}),
        ("staff.role_granted", {"username": "hanna", "role": "registrator"}),
    ]
    assert [m.role for m in StaffMembership.objects.filter(user=case_worker)] == ["registrator"]


@override_settings(STAFF_LOGIN_ATTEMPTS=2)
def test_guessing_at_one_account_from_many_addresses_is_stopped_but_not_for_its_office(
    client, case_worker
):
    """Each address is new (an IPv6 attacker has a whole /64, counted as one, so many /64s
    here); the account's own known address still works."""
    assert sign_in(client, REMOTE_ADDR="198.51.100.7").status_code == 302
    client.post(reverse("identity:staff-logout"))
    for n in range(2 * ADDRESS_FACTOR):
        sign_in(client, password="wrong", REMOTE_ADDR=f"2001:db8:{n}::1")
    assert sign_in(client, REMOTE_ADDR="2001:db8:ffff::1").status_code == 429
    assert sign_in(client, REMOTE_ADDR="198.51.100.7").status_code == 302


@override_settings(STAFF_LOGIN_ATTEMPTS=2)
def test_an_ipv6_client_is_counted_by_its_64(client, case_worker):
    for n in range(2):
        sign_in(client, password="wrong", REMOTE_ADDR=f"2001:db8:1:2::{n + 1}")
    assert sign_in(client, REMOTE_ADDR="2001:db8:1:2::99").status_code == 429
    assert FailedStaffSignIn.objects.filter(client_address="2001:db8:1:2::/64").count() == 2
