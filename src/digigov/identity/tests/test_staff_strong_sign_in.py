"""Staff without passwords alone: a one-time code (TOTP) after the password where the
organisation requires it, sign-in with e-ID tied to the account, and sessions that end
when idle or when a role is taken away."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from django.core.management import call_command
from django.urls import reverse

from digigov.conftest import STAFF_PASSWORD
from digigov.core.actors import Actor
from digigov.core.models import AuditEntry
from digigov.identity import actions, loa, second_factor
from digigov.identity.models import StaffSecondFactor

pytestmark = pytest.mark.django_db
HANNA = "197804122385"


def password(client, username="hanna"):
    return client.post(
        reverse("identity:staff-login"), {"username": username, "password": STAFF_PASSWORD}
    )


def signed_in(client) -> bool:
    return client.get(reverse("web:workspace")).status_code == 200


@pytest.fixture
def required(organisation):
    actions.set_staff_policy(
        actor=Actor.system("tests"), organisation=organisation, second_factor=True
    )


def code_for(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def secret_on_page(page: str) -> str:
    return re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")


def test_a_password_alone_is_not_enough_where_the_organisation_requires_a_code(
    client, case_worker, required
):
    response = password(client)
    assert response.url == reverse("identity:staff-second-factor")
    assert not signed_in(client)
    page = client.get(reverse("identity:staff-second-factor")).content.decode()
    assert "autentiseringsapp" in page and "<svg" in page
    secret = secret_on_page(page)
    wrong = client.post(reverse("identity:staff-second-factor"), {"code": "000000"})
    assert wrong.status_code == 400 and "Koden stämmer inte" in wrong.content.decode()
    assert not signed_in(client)
    right = client.post(reverse("identity:staff-second-factor"), {"code": code_for(secret)})
    assert right.status_code == 302 and signed_in(client)
    factor = StaffSecondFactor.objects.get(user=case_worker)
    assert factor.confirmed_at is not None and secret not in factor.sealed_secret  # sealed
    entry = AuditEntry.objects.filter(action="staff.signed_in").latest("sequence")
    assert entry.data["method"] == "password+totp"


def test_a_code_works_once(client, case_worker, required):
    password(client)
    secret = secret_on_page(client.get(reverse("identity:staff-second-factor")).content.decode())
    code = code_for(secret)
    client.post(reverse("identity:staff-second-factor"), {"code": code})
    client.post(reverse("identity:staff-logout"))
    password(client)
    again = client.post(reverse("identity:staff-second-factor"), {"code": code})
    assert again.status_code == 400 and not signed_in(client)
    # once set up, the code is asked for without showing the secret again
    page = client.get(reverse("identity:staff-second-factor")).content.decode()
    assert "<svg" not in page and "Ange koden" in page


def test_codes_from_the_neighbouring_steps_only(case_worker):
    secret = second_factor.new_secret()
    now = time.time()
    assert second_factor.matching_step(secret, code_for(secret, -30), 0, now) is not None
    assert second_factor.matching_step(secret, code_for(secret, -90), 0, now) is None
    assert second_factor.matching_step(secret, "12345", 0, now) is None
    assert second_factor.matching_step(secret, "١٢٣٤٥٦", 0, now) is None


def test_guessing_codes_is_throttled(client, case_worker, required, settings):
    settings.STAFF_LOGIN_ATTEMPTS = 3
    password(client)
    client.get(reverse("identity:staff-second-factor"))
    for _ in range(3):
        client.post(reverse("identity:staff-second-factor"), {"code": "000000"})
    assert (
        client.post(reverse("identity:staff-second-factor"), {"code": "000000"}).status_code == 429
    )


def test_without_a_password_first_there_is_no_code_page(client, case_worker):
    response = client.get(reverse("identity:staff-second-factor"))
    assert response.url == reverse("identity:staff-login")


def test_an_account_that_set_up_a_code_is_asked_for_it_even_where_not_required(client, case_worker):
    actions.begin_second_factor(user=case_worker)
    secret = second_factor.opened(StaffSecondFactor.objects.get().sealed_secret)
    actions.use_second_factor(user=case_worker, code=code_for(secret))
    assert password(client).url == reverse("identity:staff-second-factor")


def test_the_operator_sets_the_policy_and_resets_a_lost_phone(organisation, case_worker, capsys):
    call_command("staff", "policy", organisation.slug, "--second-factor", "required")
    actions.begin_second_factor(user=case_worker)
    call_command("staff", "reset-second-factor", "--username", "hanna")
    assert not StaffSecondFactor.objects.exists()
    assert "second factor removed" in capsys.readouterr().out
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no organisation is called 'nowhere'"):
        call_command("staff", "policy", "nowhere", "--second-factor", "required")
    with pytest.raises(CommandError, match="no staff account is called 'nobody'"):
        call_command("staff", "reset-second-factor", "--username", "nobody")


def _through_the_test_provider(client, number: str):
    """Begin from the staff sign-in page's e-ID link, be `number` at the test provider."""
    page = client.get(reverse("identity:staff-login")).content.decode()
    link = re.search(r'href="(/eid/start/test/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "personal=1" in link
    started = client.get(link)
    params = {k: v[0] for k, v in parse_qs(urlsplit(started["Location"]).query).items()}
    answer = client.post(
        "/test-eid/authorize", {**params, "personal_identity_number": number, "loa": loa.LOA3}
    )
    back = {k: v[0] for k, v in parse_qs(urlsplit(answer["Location"]).query).items()}
    return client.get("/eid/callback/test", back)


def test_staff_sign_in_with_e_id_finds_the_tied_account(client, case_worker, back_channel):
    actions.set_staff_eid(actor=Actor.system("tests"), user=case_worker, number=HANNA)
    response = _through_the_test_provider(client, HANNA)
    assert response.status_code == 302 and response["Location"] == reverse("web:workspace")
    assert signed_in(client)
    assert "resident" not in client.session  # a staff session, not a resident's
    entry = AuditEntry.objects.filter(action="staff.signed_in").latest("sequence")
    assert entry.data["method"] == "eid:test"


def test_an_e_id_with_no_staff_account_signs_nobody_in(client, case_worker, back_channel):
    response = _through_the_test_provider(client, "199003152387")
    assert response.status_code == 403
    assert "Ingen personalbehörighet" in response.content.decode()
    assert not signed_in(client) and "resident" not in client.session


def test_a_staff_session_ends_when_idle(client, case_worker, travel):
    password(client)
    assert signed_in(client)
    travel.forward(minutes=31)
    assert not signed_in(client)


def test_a_staff_session_ends_when_a_role_is_taken_away(client, case_worker, organisation):
    password(client)
    assert signed_in(client)
    actions.save_staff_account(
        actor=Actor.system("tests"),
        username="hanna",
        password=STAFF_PASSWORD,
        first_name="Hanna",
        last_name="Testsson",
        roles=[],
    )
    response = client.get(reverse("web:workspace"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_new_role_does_not_end_the_session(client, case_worker, organisation):
    password(client)
    actions.save_staff_account(
        actor=Actor.system("tests"),
        username="hanna",
        password=STAFF_PASSWORD,
        first_name="Hanna",
        last_name="Testsson",
        roles=[(organisation, "handlaggare"), (organisation, "registrator")],
    )
    assert signed_in(client)


def test_one_personnummer_ties_to_one_account(case_worker, organisation):
    from django.core.management import CommandError

    actions.set_staff_eid(actor=Actor.system("tests"), user=case_worker, number=HANNA)
    with pytest.raises(CommandError, match="is tied to the account 'hanna'"):
        call_command(
            "staff", "save", "--username", "other", "--first-name", "O", "--last-name", "T",
            "--personnummer", HANNA, "--password-from-env", "STAFF_PASSWORD_FOR_TESTS",
        )  # fmt: skip
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="other").exists()
