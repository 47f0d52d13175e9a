"""The data tracker: a person sees who read their data, and only their own."""

import html
import re

import pytest
from django.urls import reverse

from digigov.cases import actions
from digigov.conftest import ANNA, sign_in_resident
from digigov.registers.actions import record_register_access

pytestmark = pytest.mark.django_db


def test_a_person_sees_register_reads_and_case_openings(
    client, bygglov_case, case_worker, organisation
):
    record_register_access(
        subjects=[ANNA],
        register="property",
        client="SE-DEMO/MUN/2120009994/arenden",
        client_name="Exempelby kommun",
        user_id=f"SE{ANNA}",
        purpose="Förifyllnad av e-tjänst BYGGLOV",
        message_id="m-1",
    )
    staff = actions.staff_in(case_worker, organisation.pk)
    actions.record_access(staff=staff, case=bygglov_case, purpose="Handläggning")
    sign_in_resident(client, ANNA)
    page = client.get(reverse("web:tracker")).content.decode()
    assert "Fastighetsregistret" in page and "Förifyllnad av e-tjänst BYGGLOV" in page
    assert "Via datautbytet" in page
    assert f"Ärende {bygglov_case.registrar_number}" in page and "Handläggare" in page
    assert case_worker.username not in page  # staff by role, not by name


def test_nobody_sees_anothers_accesses(client, bygglov_case):
    record_register_access(
        subjects=[ANNA],
        register="population",
        client="x",
        client_name="Exempelby kommun",
        user_id="",
        purpose="Hemligt syfte",
        message_id="m-2",
    )
    sign_in_resident(client, "198511224571")
    page = client.get(reverse("web:tracker")).content.decode()
    assert "Hemligt syfte" not in page and "Ingen har använt dina uppgifter ännu." in page


def test_the_tracker_needs_sign_in(client):
    response = client.get(reverse("web:tracker"))
    assert response.status_code == 302 and "/logga-in/" in response["Location"]


def test_an_organisation_may_choose_to_name_its_staff(
    client, bygglov_case, case_worker, organisation, capsys
):
    from django.core.management import call_command

    call_command(
        "organisation",
        "save",
        "--slug",
        organisation.slug,
        "--name",
        organisation.name,
        "--kind",
        organisation.kind,
        "--organisationsnummer",
        organisation.organisation_number,
        "--kommunkod",
        organisation.municipality_code,
        "--name-staff",
        "yes",
    )
    staff = actions.staff_in(case_worker, organisation.pk)
    actions.record_access(staff=staff, case=bygglov_case, purpose="Handläggning")
    sign_in_resident(client, ANNA)
    page = client.get(reverse("web:tracker")).content.decode()
    name = case_worker.get_full_name()
    assert name and f"{name} (Handläggare)" in page


def test_a_case_worker_reading_a_case_again_in_one_sitting_is_one_reading(
    client, bygglov_case, case_worker, travel
):
    """Every page view of the case recorded a reading; now one per purpose and sitting."""
    from digigov.core.models import AccessRecord

    client.force_login(case_worker)
    case_page = reverse("web:staff-case", args=[bygglov_case.public_id])
    for _ in range(3):
        assert client.get(case_page).status_code == 200
    assert AccessRecord.objects.filter(subject=ANNA).count() == 1
    travel.forward(minutes=31)  # a new sitting: the idle session has ended, sign in again
    assert client.get(case_page).status_code == 302
    client.force_login(case_worker)
    client.get(case_page)
    assert AccessRecord.objects.filter(subject=ANNA).count() == 2


def test_the_list_is_paged_by_time_and_grouped_by_day(client, organisation, travel):
    for number in range(55):
        record_register_access(
            subjects=[ANNA],
            register="population",
            client="x",
            client_name="Exempelby kommun",
            user_id=f"SE{ANNA}",
            purpose=f"Läsning {number}",
            message_id=f"m-{number}",
        )
        travel.forward(minutes=1)
    sign_in_resident(client, ANNA)
    first = client.get(reverse("web:tracker")).content.decode()
    assert "Läsning 54" in first and "Läsning 5<" in first and "Läsning 4<" not in first
    older = re.search(r'href="\?(fore=[^"]+)"', first).group(1)
    second = client.get(f"{reverse('web:tracker')}?{html.unescape(older)}").content.decode()
    assert "Läsning 4<" in second and "Läsning 0<" in second and "Läsning 5<" not in second
    assert "Visa äldre" not in second and "Till de senaste" in second
    assert "<h2>" in first  # the day's heading
    for junk in ("x", "2026-13-01", "\x00"):
        assert client.get(reverse("web:tracker"), {"fore": junk}).status_code == 200
