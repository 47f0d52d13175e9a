import io

import pytest

pytestmark = pytest.mark.django_db


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://digigov.se/problems/")
    assert body["title"] and body["detail"]
    return body


def test_organisations_are_listed(client, organisation):
    body = client.get("/api/organisations").json()
    assert body == [
        {
            "slug": "exempelby",
            "name": "Exempelby kommun",
            "kind": "kommun",
            "organisationsnummer": "2120009994",
            "kommunkod": "9991",
        }
    ]


def test_an_unknown_organisation_is_a_problem(client):
    body = assert_problem(client.get("/api/organisations/nowhere"), 404)
    assert "nowhere" in body["detail"]


def test_an_unknown_path_is_a_problem(client):
    assert_problem(client.get("/api/no/such/thing"), 404)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"type": "personnummer", "value": "900315-2387"}, ("personnummer", "199003152387")),
        ({"type": "personnummer", "value": "19960681-2056"}, ("samordningsnummer", "199606812056")),
        (
            {"type": "organisationsnummer", "value": "16212000-9994"},
            ("organisationsnummer", "2120009994"),
        ),
    ],
)
def test_identifiers_are_normalised(client, payload, expected):
    response = client.post("/api/identifiers/normalise", payload, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["type"], response.json()["value"]) == expected


def test_a_wrong_check_digit_is_a_bilingual_problem(client):
    response = client.post(
        "/api/identifiers/normalise",
        {"type": "personnummer", "value": "19900315-2388"},
        content_type="application/json",
    )
    body = assert_problem(response, 422)
    assert "Kontrollsiffran stämmer inte" in body["detail"]
    assert "check digit" in body["detail"]
    assert body["errors"][0]["pointer"] == "/value"


@pytest.mark.parametrize(
    "raw",
    ['{"type": "passport", "value": "x"}', "{not json", '{"type": "personnummer"}', "[]"],
)
def test_malformed_requests_are_problems(client, raw):
    response = client.post("/api/identifiers/normalise", raw, content_type="application/json")
    assert response.status_code in {400, 422}
    assert response["Content-Type"] == "application/problem+json"


def test_me_without_a_sign_in_is_a_401_problem(client):
    assert_problem(client.get("/api/me"), 401)


def _problem(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and " / " in body["detail"]
    return body


@pytest.mark.django_db
def test_every_api_error_is_a_problem_whoever_answers_it(client, services, settings):
    """Django refuses a body too large or with too many parts before any handler runs, and
    the framework answers a method it does not route: each is a problem document too."""
    from digigov.conftest import ANNA, PDF, sign_in_resident

    sign_in_resident(client, ANNA)
    draft = client.post(
        "/api/applications",
        {"organisation": "exempelby", "service": "BYGGLOV"},
        content_type="application/json",
    ).json()
    upload = f"/api/applications/{draft['id']}/attachments/situationsplan"
    many = {f"file{i}": io.BytesIO(PDF) for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)}
    assert _problem(client.post(upload, many), 413)["type"].endswith("too-many-parts")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = client.post(upload, {"note": "x" * 5000, "file": io.BytesIO(PDF)})
    assert _problem(big, 413)["type"].endswith("too-large")
    not_routed = client.put(f"/api/applications/{draft['id']}", {}, content_type="application/json")
    assert _problem(not_routed, 405)["detail"].startswith("The method is not allowed")
    assert "PATCH" in not_routed["Allow"]
