"""The case pages: the staff queue and case page, the applicant's case page, the public diary."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from digigov.cases.models import Case, CaseRequest, Decision
from digigov.conftest import (
    ANNA,
    PDF,
    make_staff,
    secret_case,
    sign_in_resident,
    submit_bygglov,
)
from digigov.core import clock
from digigov.core.models import AccessRecord

pytestmark = pytest.mark.django_db


def case_url(case, name="web:staff-case", *args):
    return reverse(name, args=[case.public_id, *args])


def revision(case):
    return Case.objects.get(pk=case.pk).revision


def step(client, case, transition, **fields):
    data = {f"{transition}-revision": revision(case)}
    data.update({f"{transition}-{k}": v for k, v in fields.items()})
    return client.post(case_url(case, "web:staff-case-step", transition), data)


@pytest.fixture
def staff_client(client, case_worker):
    client.force_login(case_worker)
    return client


def test_the_queue_lists_the_organisations_cases_by_deadline(staff_client, bygglov_case):
    page = staff_client.get(reverse("web:workspace"))
    assert page.status_code == 200
    text = page.content.decode()
    assert bygglov_case.registrar_number in text and "Anna Andersson" in text
    filtered = staff_client.get(reverse("web:workspace"), {"state": "beslutad"})
    assert bygglov_case.registrar_number not in filtered.content.decode()
    nonsense = staff_client.get(
        reverse("web:workspace"), {"due": "igår", "sida": "x", "assigned": "<b>"}
    )
    assert nonsense.status_code == 200


def test_staff_of_another_organisation_get_404_and_see_nothing_in_their_queue(
    client, bygglov_case, other_organisation
):
    client.force_login(make_staff("annan", [(other_organisation, "handlaggare")]))
    assert client.get(case_url(bygglov_case)).status_code == 404
    assert client.get(case_url(bygglov_case, "web:staff-case-document", 1)).status_code == 404
    response = step(client, bygglov_case, "paborja")
    assert response.status_code == 404
    assert (
        bygglov_case.registrar_number not in client.get(reverse("web:workspace")).content.decode()
    )
    assert Case.objects.get(pk=bygglov_case.pk).state == "inkommen"


def test_opening_a_case_page_keeps_an_access_record(staff_client, bygglov_case):
    page = staff_client.get(case_url(bygglov_case))
    assert page.status_code == 200
    assert "Beslut senast" in page.content.decode()
    assert (
        AccessRecord.objects.filter(subject=ANNA, object_id=bygglov_case.registrar_number).count()
        == 1
    )


def test_a_decision_without_reasons_is_refused_with_a_message(staff_client, bygglov_case):
    assert step(staff_client, bygglov_case, "paborja").status_code == 302
    response = step(staff_client, bygglov_case, "besluta", outcome="bifall", reasons="")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Skriv skälen för beslutet." in text and 'href="#id_besluta-reasons"' in text
    assert not Decision.objects.exists()


def test_a_step_the_process_does_not_allow_answers_409(staff_client, bygglov_case):
    response = step(staff_client, bygglov_case, "avsluta")
    assert response.status_code == 409
    assert "går inte att ta" in response.content.decode()


def test_a_stale_save_is_refused_and_nothing_overwritten(staff_client, bygglov_case):
    old = revision(bygglov_case)
    assert step(staff_client, bygglov_case, "paborja").status_code == 302
    response = staff_client.post(
        case_url(bygglov_case, "web:staff-case-step", "begar_komplettering"),
        {
            "begar_komplettering-revision": old,
            "begar_komplettering-message": "Mer",
            "begar_komplettering-due_on": "2099-01-01",
        },
    )
    assert response.status_code == 409
    assert "ändrats av någon annan" in response.content.decode()
    assert not CaseRequest.objects.exists()


def test_completion_requested_on_the_staff_page_and_answered_on_the_applicants(
    staff_client, bygglov_case
):
    due = (clock.today() + dt.timedelta(weeks=3)).isoformat()
    assert (
        step(
            staff_client,
            bygglov_case,
            "begar_komplettering",
            message="Bifoga en sektionsritning.",
            due_on=due,
        ).status_code
        == 302
    )

    resident = type(staff_client)()
    sign_in_resident(resident, ANNA)
    assert "Du behöver göra något" in resident.get(reverse("web:my-pages")).content.decode()
    page = resident.get(case_url(bygglov_case, "web:my-case"))
    assert "Bifoga en sektionsritning." in page.content.decode()
    wrong = resident.post(
        case_url(bygglov_case, "web:my-case-answer"),
        {"text": "", "attachments": [io.BytesIO(b"GIF89a")]},
    )
    assert wrong.status_code == 400 and "inte av en tillåten typ" in wrong.content.decode()
    upload = io.BytesIO(PDF)
    upload.name = "sektion.pdf"
    answered = resident.post(
        case_url(bygglov_case, "web:my-case-answer"),
        {"text": "Här är den.", "attachments": [upload]},
    )
    assert answered.status_code == 302
    case = Case.objects.get(pk=bygglov_case.pk)
    assert case.state == "under_handlaggning" and not case.resident_must_act
    staff_page = staff_client.get(case_url(bygglov_case)).content.decode()
    assert "Här är den." in staff_page and "Komplettering: sektion.pdf" in staff_page


def test_a_decision_is_confirmed_before_it_is_taken(staff_client, bygglov_case):
    """It was taken in one click; now the first post shows what it will say."""
    step(staff_client, bygglov_case, "paborja")
    shown = step(staff_client, bygglov_case, "besluta", outcome="bifall", reasons="Följer planen.")
    assert shown.status_code == 200
    page = shown.content.decode()
    assert "Bekräfta beslutet" in page and "Bygglov beviljas" in page
    assert "4 800 kr" in page  # 36 m² × 60 kr, at least 4 800
    assert not Decision.objects.exists()
    taken = step(
        staff_client,
        bygglov_case,
        "besluta",
        outcome="bifall",
        reasons="Följer planen.",
        confirmed=1,
    )
    assert taken.status_code == 302 and Decision.objects.get().fee == 4800


def test_the_applicant_sees_the_decision_and_how_to_appeal(staff_client, bygglov_case):
    step(staff_client, bygglov_case, "paborja")
    assert (
        step(
            staff_client,
            bygglov_case,
            "besluta",
            outcome="bifall",
            reasons="Följer detaljplanen.",
            confirmed=1,
        ).status_code
        == 302
    )
    resident = type(staff_client)()
    sign_in_resident(resident, ANNA)
    page = resident.get(case_url(bygglov_case, "web:my-case")).content.decode()
    assert "Bygglov beviljas" in page and "Följer detaljplanen." in page
    assert "Länsstyrelsen inom 21 dagar" in page
    decision = Decision.objects.get()
    pdf = resident.get(case_url(bygglov_case, "web:my-case-document", decision.document.sequence))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_another_person_gets_404_for_the_case_page_and_its_documents(client, bygglov_case):
    sign_in_resident(client, "198511224571")
    assert client.get(case_url(bygglov_case, "web:my-case")).status_code == 404
    assert client.get(case_url(bygglov_case, "web:my-case-document", 1)).status_code == 404
    assert (
        client.post(case_url(bygglov_case, "web:my-case-answer"), {"text": "x"}).status_code == 404
    )


def test_an_answer_after_the_case_is_decided_gets_a_clear_message(staff_client, bygglov_case):
    step(staff_client, bygglov_case, "paborja")
    step(
        staff_client,
        bygglov_case,
        "besluta",
        outcome="avslag",
        reasons="Strider mot planen.",
        confirmed=1,
    )
    resident = type(staff_client)()
    sign_in_resident(resident, ANNA)
    response = resident.post(case_url(bygglov_case, "web:my-case-answer"), {"text": "Sent svar"})
    assert response.status_code == 409
    assert "Ärendet är avgjort" in response.content.decode()


def test_the_public_diary_masks_secret_entries(client, services, organisation):
    public = submit_bygglov(services)
    secret_case(services, organisation)
    page = client.get(reverse("web:diary", args=[organisation.slug])).content.decode()
    assert f"{public.registrar_number}-1" in page and "Anna Andersson" in page
    assert "SN 2026/00001-1" in page and "OSL 26 kap. 1 §" in page
    assert "Fatima Hassan" not in page and "ekonomiskt bistånd" not in page
    one = client.get(
        reverse("web:diary", args=[organisation.slug]), {"diarienummer": "SN 2026/00001"}
    ).content.decode()
    assert "SN 2026/00001-1" in one and public.registrar_number not in one
    assert client.get(reverse("web:diary", args=["okand"])).status_code == 404


def test_a_service_administrator_does_not_read_cases(client, bygglov_case, organisation):
    client.force_login(make_staff("tjadm", [(organisation, "administrator")]))
    assert client.get(case_url(bygglov_case)).status_code == 404
    page = client.get(reverse("web:workspace")).content.decode()
    assert bygglov_case.registrar_number not in page
    assert "Ingen av dina roller handlägger ärenden." in page


def test_the_extend_form_is_offered_as_often_as_the_package_allows(
    staff_client, case_worker, services
):
    """One rule (cases.actions.extension_refusal) for the page and the action: the page
    hid the form after one extension while the package allowed two."""
    from digigov.cases import actions
    from digigov.core.actors import Actor
    from digigov.services import actions as service_actions
    from digigov.services.spec import ServicePackageSpec

    data = services["BYGGLOV"].spec | {"version": "9.0.0"}
    data["process"]["clock"]["extension"]["times"] = 2
    twice = service_actions.install_package(
        actor=Actor.system("tests"),
        organisation=services["BYGGLOV"].organisation,
        spec=ServicePackageSpec.model_validate(data),
    )
    case = submit_bygglov({"BYGGLOV": twice})
    staff = actions.staff_in(case_worker, case.organisation_id)
    offered = []
    for _ in range(3):
        offered.append(
            "Förläng handläggningstiden" in staff_client.get(case_url(case)).content.decode()
        )
        if offered[-1]:
            fresh = Case.objects.get(pk=case.pk)
            actions.extend_deadline(
                staff=staff, case=fresh, days=7, reason="Remiss.", revision=fresh.revision
            )
    assert offered == [True, True, False]


def test_what_a_step_needs_is_not_marked_optional(staff_client, bygglov_case):
    step(staff_client, bygglov_case, "paborja")
    page = staff_client.get(case_url(bygglov_case)).content.decode()
    for label in ("Meddelande till den sökande", "Svara senast", "Skäl för beslutet"):
        assert f"{label} <span" not in page, label  # no "(frivilligt)" after it
        assert label in page


def test_an_english_page_shows_the_documents_titles_in_english(staff_client, bygglov_case):
    step(staff_client, bygglov_case, "paborja")
    step(
        staff_client,
        bygglov_case,
        "begar_komplettering",
        message="Bifoga en sektion.",
        due_on=(clock.today() + dt.timedelta(weeks=2)).isoformat(),
    )
    resident = type(staff_client)()
    sign_in_resident(resident, ANNA)
    resident.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = resident.get(case_url(bygglov_case, "web:my-case")).content.decode()
    assert "Request for completion" in page and "Begäran om komplettering" not in page
    assert "Application for a building permit (" in page  # by the service's English name
    assert "Site plan: ritning.pdf" in page


def test_the_staff_page_names_events_and_who_made_them(staff_client, bygglov_case):
    step(staff_client, bygglov_case, "paborja")
    page = staff_client.get(case_url(bygglov_case)).content.decode()
    assert "Ansökan har kommit in" in page and "EXEMPELBY.BYGGLOV.INKOMMEN" not in page
    assert "Sökande" in page and "person:1990" not in page
    assert "· hanna" in page and "staff:hanna" not in page
