"""The applications API: the same rules as the pages, answered as problem documents."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from digigov.cases.models import Application, Case
from digigov.conftest import PDF, sign_application, sign_in_resident

pytestmark = pytest.mark.django_db
ANNA = "199003152387"
GARAGE = {
    "ar_agare": True,
    "atgard": "garage_carport",
    "byggnadstyp": "komplementbyggnad",
    "bruttoarea": 36,
    "beskrivning": "Ett garage i trä, faluröd kulör.",
    "epost": "anna@exempel.se",
}


@pytest.fixture
def anna(client, services):
    sign_in_resident(client, ANNA)
    return client


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def create(client, **body):
    return client.post(
        "/api/applications",
        {"organisation": "exempelby", "service": "BYGGLOV", **body},
        content_type="application/json",
    )


def test_services_are_listed_and_found(client, services):
    assert {s["code"] for s in client.get("/api/services").json()["services"]} == {
        "BYGGLOV", "EKONOMISKT_BISTAND", "SERVERINGSTILLSTAND",
    }  # fmt: skip
    found = client.get("/api/services", {"q": "bygga garage"}).json()
    assert (found["total"], [s["code"] for s in found["services"]]) == (1, ["BYGGLOV"])
    problem(client.get("/api/services/exempelby/NOPE"), 404)


def test_a_service_publishes_the_json_schema_of_its_answers(client, services):
    schema = client.get("/api/services/exempelby/BYGGLOV/schema").json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["atgard"]["enum"][:2] == ["nybyggnad", "tillbyggnad"]
    assert schema["properties"]["bruttoarea"]["x-visible-if"] == {
        "field": "atgard", "in": ["nybyggnad", "tillbyggnad", "garage_carport"],
    }  # fmt: skip
    assert "fastighetsbeteckning" in schema["required"]
    assert schema["properties"]["grannar"]["items"]["required"] == ["namn", "fastighet"]


def test_applying_through_the_api(anna):
    created = create(anna)
    assert created.status_code == 201
    application = created.json()
    assert application["answers"] == {"fastighetsbeteckning": "Exempelby Björken 1:23"}
    url = f"/api/applications/{application['id']}"

    updated = anna.patch(
        url,
        {"answers": GARAGE, "revision": application["revision"]},
        content_type="application/json",
    )
    assert updated.status_code == 200
    for field in ("situationsplan", "planritning", "fasadritning"):
        response = anna.post(
            f"{url}/attachments/{field}", {"file": SimpleUploadedFile("ritning.pdf", PDF)}
        )
        assert response.status_code == 201
        assert response.json()["content_type"] == "application/pdf"

    unsigned = problem(anna.post(f"{url}/submit"), 422)
    assert "skrivas under" in unsigned["detail"] or "skrivas under" in str(unsigned)
    sign_application(Application.objects.get(public_id=application["id"]), ANNA)
    submitted = anna.post(f"{url}/submit")
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["status"] == "submitted"
    assert body["registrar_number"].startswith("BN ")
    assert body["reference"]
    again = anna.post(f"{url}/submit")
    assert again.json()["registrar_number"] == body["registrar_number"]
    assert Case.objects.count() == 1
    receipt = anna.get(f"{url}/receipt.pdf")
    assert receipt["Content-Type"] == "application/pdf" and receipt.content.startswith(b"%PDF-")


def test_invalid_answers_are_listed_with_pointers(anna):
    application = create(anna).json()
    body = problem(anna.post(f"/api/applications/{application['id']}/submit"), 422)
    pointers = {error["pointer"] for error in body["errors"]}
    assert "/answers/situationsplan" in pointers and "/answers/epost" in pointers
    assert Application.objects.get().status == "draft"


def test_a_stale_revision_is_a_conflict(anna):
    application = create(anna).json()
    url = f"/api/applications/{application['id']}"
    anna.patch(
        url, {"answers": {"atgard": "rivning"}, "revision": 1}, content_type="application/json"
    )
    body = problem(
        anna.patch(
            url,
            {"answers": {"atgard": "nybyggnad"}, "revision": 1},
            content_type="application/json",
        ),
        409,
    )
    assert body["type"].endswith("/stale")
    assert Application.objects.get().answers["atgard"] == "rivning"


def test_a_wrong_file_type_is_refused(anna):
    application = create(anna).json()
    response = anna.post(
        f"/api/applications/{application['id']}/attachments/situationsplan",
        {"file": SimpleUploadedFile("ritning.pdf", b"not really a pdf")},
    )
    body = problem(response, 422)
    assert "Filen är inte av en tillåten typ" in body["detail"]


def test_another_persons_application_is_404(anna, services):
    application = create(anna).json()
    erik = Client()
    sign_in_resident(erik, "198511224571")
    problem(erik.get(f"/api/applications/{application['id']}"), 404)
    problem(
        erik.patch(
            f"/api/applications/{application['id']}",
            {"answers": {}},
            content_type="application/json",
        ),
        404,
    )
    problem(erik.post(f"/api/applications/{application['id']}/submit"), 404)
    assert erik.get("/api/applications").json() == []


def test_a_company_application_needs_a_representative(anna):
    body = problem(
        create(
            anna,
            service="SERVERINGSTILLSTAND",
            applicant_kind="company",
            organisationsnummer="5566778899",
        ),
        403,
    )
    assert "företräda" in body["detail"]


def test_without_sign_in_the_api_answers_401(client, services):
    problem(create(client), 401)
