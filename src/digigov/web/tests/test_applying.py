"""The resident's path through the pages: find, fill in over two sittings, attach, submit."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from digigov.cases.models import Application, Case
from digigov.conftest import PDF, pdf_streams, sign_application, sign_in_resident

pytestmark = pytest.mark.django_db
ANNA = "199003152387"


@pytest.fixture
def anna(client, services):
    sign_in_resident(client, ANNA)
    return client


def upload(name, content=PDF):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def start_bygglov(client) -> Application:
    response = client.post(reverse("web:service-start", args=["exempelby", "BYGGLOV"]))
    assert response.status_code == 302
    return Application.objects.latest("created_at")


def step_url(application, step):
    return reverse("web:application-step", args=[application.public_id, step])


def test_plain_words_find_bygglov(client, services):
    page = client.get(reverse("web:service-search"), {"q": "bygga garage"}).content.decode()
    assert "Ansökan om bygglov" in page
    assert "Ansökan om ekonomiskt bistånd" not in page


def test_a_service_page_asks_to_sign_in_first(client, services):
    page = client.get(reverse("web:service", args=["exempelby", "BYGGLOV"])).content.decode()
    assert "Logga in för att ansöka" in page
    response = client.post(reverse("web:service-start", args=["exempelby", "BYGGLOV"]))
    assert response.status_code == 302 and "/logga-in/" in response["Location"]


def test_an_unknown_service_is_404(client, services):
    assert client.get(reverse("web:service", args=["exempelby", "NOPE"])).status_code == 404
    assert client.get(reverse("web:service", args=["nowhere", "BYGGLOV"])).status_code == 404


def test_the_page_says_what_was_filled_in_and_from_where(anna, services):
    application = start_bygglov(anna)
    page = anna.get(step_url(application, "fastighet")).content.decode()
    assert "Fastighetsbeteckning är ifyllt från Fastighetsregistret." in page
    assert "Vi kunde inte hämta" not in page
    # the other steps claim nothing
    assert "ifyllt från" not in anna.get(step_url(application, "atgard")).content.decode()


def test_the_page_claims_nothing_the_registers_did_not_give(client, services):
    """Tomasz Kowalski owns no property: the field is empty, and the page does not say otherwise."""
    sign_in_resident(client, "199606812056")
    application = start_bygglov(client)
    page = client.get(step_url(application, "fastighet")).content.decode()
    assert application.answers == {}
    assert "ifyllt från" not in page and "Du äger:" not in page


def test_a_register_that_could_not_be_asked_is_said_on_its_step(anna, services):
    application = start_bygglov(anna)
    Application.objects.filter(pk=application.pk).update(
        answers={}, prefilled={"sources": {}, "choices": {}, "unavailable": ["property"]}
    )
    page = anna.get(step_url(application, "fastighet")).content.decode()
    assert "Vi kunde inte hämta uppgifter från Fastighetsregistret när du började." in page
    assert "ifyllt från" not in page


def test_the_whole_path_over_two_sittings(anna, services):
    application = start_bygglov(anna)
    first = anna.get(step_url(application, "fastighet")).content.decode()
    assert 'value="Exempelby Björken 1:23"' in first  # prefilled from the property register

    # first sitting: answer the first step and save for later
    response = anna.post(
        step_url(application, "fastighet"),
        {
            "fastighetsbeteckning": "Exempelby Björken 1:23",
            "ar_agare": "ja",
            "action": "save",
            "revision": 1,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:my-pages")
    my_pages = anna.get(reverse("web:my-pages")).content.decode()
    assert "Påbörjade ansökningar" in my_pages and "Ansökan om bygglov" in my_pages

    # sign out and in again: the draft is still there
    anna.post(reverse("identity:sign-out"))
    sign_in_resident(anna, ANNA)
    application.refresh_from_db()
    assert application.answers["ar_agare"] == "ja"

    response = anna.post(
        step_url(application, "fastighet"),
        {
            "fastighetsbeteckning": "Exempelby Björken 1:23",
            "ar_agare": "ja",
            "action": "continue",
            "revision": application.revision,
        },
    )
    assert response["Location"] == step_url(application, "atgard")
    application.refresh_from_db()
    response = anna.post(
        step_url(application, "atgard"),
        {"atgard": "garage_carport", "byggnadstyp": "komplementbyggnad", "bruttoarea": "36",
         "beskrivning": "Ett garage i trä, faluröd kulör.", "action": "continue", "revision": application.revision},
    )  # fmt: skip
    assert response["Location"] == step_url(application, "ritningar")
    application.refresh_from_db()
    response = anna.post(
        step_url(application, "ritningar"),
        {"situationsplan": upload("situationsplan.pdf"), "planritning": upload("plan.pdf"),
         "fasadritning": upload("fasad.pdf"), "action": "continue", "revision": application.revision},
    )  # fmt: skip
    assert response["Location"] == step_url(application, "grannar")
    application.refresh_from_db()
    assert len(application.answers["situationsplan"]) == 1
    anna.post(step_url(application, "grannar"), {"grannar-count": "0", "action": "continue"})
    response = anna.post(
        step_url(application, "kontakt"),
        {"epost": "anna@exempel.se", "telefon": "", "action": "continue"},
    )
    review_url = reverse("web:application-review", args=[application.public_id])
    assert response["Location"] == review_url
    review = anna.get(review_url).content.decode()
    assert "Garage" in review and "situationsplan.pdf" in review and "Det finns fel" not in review

    # Bygglov is signed with e-ID first (the BankID round trip has its own tests)
    sign_url = reverse("web:application-sign", args=[application.public_id])
    assert anna.post(review_url)["Location"] == sign_url
    sign_application(application, ANNA)
    assert "Underskriven med BankID av Anna Andersson" in anna.get(sign_url).content.decode()
    response = anna.post(review_url)
    receipt_url = reverse("web:application-receipt", args=[application.public_id])
    assert response["Location"] == receipt_url
    case = Case.objects.get(application=application)
    receipt = anna.get(receipt_url).content.decode()
    assert case.registrar_number in receipt
    assert "Underskriven av" in receipt and "Anna Andersson (19900315-2387)" in receipt

    pdf = anna.get(reverse("web:application-receipt-pdf", args=[application.public_id]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    metadata = pdf_streams(pdf.content)
    assert b'pdfaid:part="2"' in metadata  # PDF/A-2 ...
    assert b'pdfaid:conformance="B"' in metadata  # ... level B

    # a double click on submit changes nothing
    assert anna.post(review_url)["Location"] == receipt_url
    assert Case.objects.count() == 1


def test_a_step_with_errors_shows_the_summary_and_keeps_answers(anna, services):
    application = start_bygglov(anna)
    anna.post(
        step_url(application, "fastighet"),
        {"fastighetsbeteckning": "Björken", "action": "continue"},
    )
    response = anna.post(
        step_url(application, "atgard"),
        {"atgard": "garage_carport", "bruttoarea": "-3", "beskrivning": "x", "action": "continue"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_bruttoarea"' in body and "Ange minst 1" in body
    assert 'href="#id_byggnadstyp"' in body and "Svara på frågan" in body
    assert 'value="-3"' in body  # what the person typed is kept


def test_a_wrong_file_type_is_refused_with_a_message(anna, services):
    application = start_bygglov(anna)
    response = anna.post(
        step_url(application, "ritningar"),
        {"situationsplan": upload("ritning.pdf", b"GIF89a not allowed"), "action": "upload"},
    )
    assert response.status_code == 400
    assert "Filen är inte av en tillåten typ" in response.content.decode()


def test_another_persons_draft_is_404(client, anna, services):
    application = start_bygglov(anna)
    erik = Client()
    sign_in_resident(erik, "198511224571")
    assert erik.get(step_url(application, "fastighet")).status_code == 404
    assert (
        erik.post(reverse("web:application-review", args=[application.public_id])).status_code
        == 404
    )
    assert erik.get(step_url(application, "okant-steg")).status_code == 404


def test_an_incomplete_application_lists_what_is_missing(anna, services):
    application = start_bygglov(anna)
    response = anna.post(reverse("web:application-review", args=[application.public_id]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ansökan är inte klar att skicka in" in body
    assert step_url(application, "ritningar") in body
    assert Case.objects.count() == 0


def test_the_path_speaks_english_when_chosen(anna, services):
    anna.post("/i18n/setlang/", {"language": "en", "next": "/"})
    service = anna.get(reverse("web:service", args=["exempelby", "BYGGLOV"])).content.decode()
    assert "Application for a building permit" in service and "Start application" in service
    application = start_bygglov(anna)
    step = anna.get(step_url(application, "atgard")).content.decode()
    assert "Build a garage or carport" in step and "Save and continue later" in step
    assert "Answer only if you answered" in step
    review = anna.post(reverse("web:application-review", args=[application.public_id]))
    assert "The application is not ready to submit" in review.content.decode()


def test_a_stale_page_save_is_refused_with_a_message(anna, services):
    application = start_bygglov(anna)
    anna.post(
        step_url(application, "fastighet"), {"ar_agare": "ja", "action": "save", "revision": 1}
    )
    response = anna.post(
        step_url(application, "fastighet"), {"ar_agare": "nej", "action": "save", "revision": 1}
    )
    assert response.status_code == 409
    assert "Ansökan har ändrats någon annanstans" in response.content.decode()
    application.refresh_from_db()
    assert application.answers["ar_agare"] == "ja"


@pytest.mark.parametrize("page", ["abc", "-4", "99999999999"])
def test_a_nonsense_search_page_number_is_read_as_a_page_that_exists_or_is_empty(
    client, services, page
):
    response = client.get(reverse("web:service-search"), {"q": "bygga", "sida": page})
    assert response.status_code == 200


def test_going_back_to_a_draft_opens_the_first_step_left_to_answer(anna, services):
    application = start_bygglov(anna)
    go_on = reverse("web:application-continue", args=[application.public_id])
    # the property is prefilled, but "Äger du fastigheten?" is not answered yet
    assert anna.get(go_on)["Location"] == step_url(application, "fastighet")
    anna.post(
        step_url(application, "fastighet"),
        {
            "fastighetsbeteckning": "Exempelby Björken 1:23",
            "ar_agare": "ja",
            "action": "save",
            "revision": 1,
        },
    )
    assert anna.get(go_on)["Location"] == step_url(application, "atgard")
    page = anna.get(reverse("web:my-pages")).content.decode()
    assert go_on in page  # Mina sidor links the draft there, not to check-your-answers
