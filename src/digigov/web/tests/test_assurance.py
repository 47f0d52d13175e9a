"""A service's level of assurance gates every read and write of its applications and cases, on
every surface (pages and the API), with a step-up: sign in again at the level, then come back."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from digigov.cases import actions as case_actions
from digigov.cases.models import Application
from digigov.conftest import ANNA, sign_in_resident
from digigov.core import clock
from digigov.identity.loa import LOA2, LOA3

pytestmark = pytest.mark.django_db


@pytest.fixture
def low(client):
    """Anna, signed in at loa2 (the services need loa3)."""
    sign_in_resident(client, ANNA, loa=LOA2)
    return client


def stepped_up(response, back):
    """Sent to sign in again at loa3, and back to `back` afterwards."""
    assert response.status_code == 302, response
    location = urlsplit(response["Location"])
    assert location.path == reverse("identity:sign-in")
    query = parse_qs(location.query)
    assert query["loa"] == [LOA3] and query["next"] == [back]
    return response["Location"]


def test_a_low_sign_in_cannot_start_and_so_sees_no_prefilled_data(low, services):
    service = reverse("web:service", args=["exempelby", "BYGGLOV"])
    answer = low.post(
        reverse("web:service-start", args=["exempelby", "BYGGLOV"]), HTTP_REFERER=service
    )
    stepped_up(answer, service)
    assert not Application.objects.exists()


def test_a_low_sign_in_opens_nothing_of_a_case(low, bygglov_case, organisation, case_worker):
    """Reading the case, its documents and its receipt, and answering a request, each ask for
    loa3: the level was checked at submission only."""
    worker = case_actions.staff_in(case_worker, organisation.pk)
    case_actions.take(
        staff=worker,
        case=bygglov_case,
        transition_id="begar_komplettering",
        revision=bygglov_case.revision,
        message="Skicka en ritning.",
        due_on=clock.today() + dt.timedelta(days=21),
    )
    case = reverse("web:my-case", args=[bygglov_case.public_id])
    application = bygglov_case.application.public_id
    for url in [
        case,
        reverse("web:my-case-document", args=[bygglov_case.public_id, 1]),
        reverse("web:application-receipt", args=[application]),
        reverse("web:application-receipt-pdf", args=[application]),
        reverse("web:application-review", args=[application]),
        reverse("web:attachment", args=[bygglov_case.application.attachments.first().public_id]),
    ]:
        stepped_up(low.get(url), url)
    answer = low.post(
        reverse("web:my-case-answer", args=[bygglov_case.public_id]),
        {"text": "Här är den."},
        HTTP_REFERER=case,
    )
    stepped_up(answer, case)
    assert not bygglov_case.documents.filter(kind="completion").exists()


def test_the_sign_in_page_asks_for_the_level_and_passes_it_on(low, bygglov_case):
    case = reverse("web:my-case", args=[bygglov_case.public_id])
    page = low.get(stepped_up(low.get(case), case))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tillitsnivå 3" in text
    assert "loa=http" in text  # the provider is asked for the level


def test_at_the_level_the_same_pages_open(client, bygglov_case):
    sign_in_resident(client, ANNA, loa=LOA3)
    assert client.get(reverse("web:my-case", args=[bygglov_case.public_id])).status_code == 200
    sign_in = client.get(reverse("identity:sign-in"), {"loa": LOA3, "next": "/mina-sidor/"})
    assert sign_in.status_code == 302 and sign_in["Location"] == "/mina-sidor/"


def test_the_api_answers_a_low_sign_in_with_a_step_up_problem(low, bygglov_case, services):
    found = low.get(f"/api/applications/{bygglov_case.application.public_id}")
    assert found.status_code == 403
    assert found["Content-Type"] == "application/problem+json"
    assert found.json()["type"].endswith("step-up")
    assert LOA3 in found["WWW-Authenticate"]
    started = low.post(
        "/api/applications",
        {"organisation": "exempelby", "service": "BYGGLOV"},
        content_type="application/json",
    )
    assert started.status_code == 403 and started.json()["type"].endswith("step-up")


def test_a_low_sign_in_is_not_listed_what_it_may_not_open_and_is_offered_a_step_up(
    low, bygglov_case
):
    page = low.get(reverse("web:my-pages")).content.decode()
    assert bygglov_case.registrar_number not in page
    assert "kräver en e-legitimation med högre tillitsnivå" in page
    assert "loa=http%3A%2F%2Fid.elegnamnden.se%2Floa%2F1.0%2Floa3" in page
    mine = low.get(reverse("web:my-cases")).content.decode()
    assert bygglov_case.registrar_number not in mine and "högre tillitsnivå" in mine
    assert low.get("/api/applications").json() == []


def test_at_the_level_everything_is_listed(client, bygglov_case):
    sign_in_resident(client, ANNA, loa=LOA3)
    page = client.get(reverse("web:my-pages")).content.decode()
    assert bygglov_case.registrar_number in page and "högre tillitsnivå" not in page
    assert bygglov_case.registrar_number in client.get(reverse("web:my-cases")).content.decode()
    assert len(client.get("/api/applications").json()) == 1
