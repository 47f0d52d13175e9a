"""What a registered document shows to whom (cases.disclosure), on every surface that shows one:
the public diary page and API, the applicant's case page and its downloads."""

import pytest
from django.urls import reverse

from digigov.cases.models import Document
from digigov.cases.tests.test_org_api import key_for
from digigov.conftest import ANNA, FATIMA, secret_case, sign_in_resident

pytestmark = pytest.mark.django_db


def diary_api(client, organisation):
    body = client.get(f"/api/organisations/{organisation.slug}/diary").json()
    return {item["number"]: item for item in body["items"]}


def add_document(client, auth, case, **body):
    return client.post(
        f"/api/cases/{case.public_id}/documents",
        {
            "direction": "in",
            "title": "Läkarintyg för Fatima",
            "counterpart": "Vårdcentralen",
            **body,
        },
        content_type="application/json",
        **auth,
    )


@pytest.mark.parametrize("ground", [None, "", "   "])
def test_a_document_on_a_secret_case_is_secret_whatever_ground_is_given(
    client, services, organisation, ground
):
    case = secret_case(services, organisation)
    auth = key_for(organisation, secret_cases=True)
    body = {} if ground is None else {"secrecy_ground": ground}
    assert add_document(client, auth, case, **body).status_code == 201
    document = Document.objects.get(case=case, sequence=2)
    assert document.secrecy_ground == "OSL 26 kap. 1 §"
    entry = diary_api(client, organisation)["SN 2026/00001-2"]
    assert entry["secret"] and entry["title"] is None and entry["counterpart"] is None
    page = client.get(reverse("web:diary", args=[organisation.slug])).content.decode()
    assert "Läkarintyg" not in page and "Vårdcentralen" not in page


def test_too_long_a_secrecy_ground_is_a_clear_error_and_nothing_is_registered(
    client, organisation, bygglov_case
):
    auth = key_for(organisation)
    answer = add_document(client, auth, bygglov_case, secrecy_ground="OSL " + "x" * 100)
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert "secrecy_ground" in answer.content.decode()
    assert not Document.objects.filter(case=bygglov_case, title__startswith="Läkarintyg").exists()


def test_the_public_never_sees_the_file_names_residents_chose(client, organisation, bygglov_case):
    entries = diary_api(client, organisation)
    titles = [e["title"] for n, e in entries.items() if n.startswith(bygglov_case.registrar_number)]
    assert "Situationsplan" in titles
    assert not any("ritning.pdf" in (title or "") for title in titles)
    page = client.get(reverse("web:diary", args=[organisation.slug])).content.decode()
    assert "Situationsplan" in page and "ritning.pdf" not in page


def test_the_applicant_sees_their_own_documents_and_not_others_secrets(
    client, organisation, bygglov_case
):
    """Anna sees her application, its files (by name: they are hers) and what was sent to her;
    a neighbour's letter is the neighbour's, not hers ("Du"); a secret letter about someone
    else is listed by its ground only, and cannot be downloaded."""
    auth = key_for(organisation)
    neighbour = add_document(
        client, auth, bygglov_case, title="Synpunkter från granne", counterpart="Bo Granne"
    )
    secret = add_document(
        client,
        auth,
        bygglov_case,
        title="Uppgifter om Bo Grannes hälsa",
        counterpart="Bo Granne",
        secrecy_ground="OSL 25 kap. 1 §",
    )
    assert neighbour.status_code == secret.status_code == 201
    resident = type(client)()
    sign_in_resident(resident, ANNA)
    page = resident.get(reverse("web:my-case", args=[bygglov_case.public_id])).content.decode()
    assert "ritning.pdf" in page  # her own files, by the names she gave them
    assert "Synpunkter från granne" in page and "Bo Granne" in page
    assert "Bo Grannes hälsa" not in page and "OSL 25 kap. 1 §" in page
    rows = [row for row in page.split("<tr>") if "Bo Granne" in row]
    assert rows and not any(">Du<" in row for row in rows)
    secret_number = Document.objects.get(case=bygglov_case, secrecy_ground="OSL 25 kap. 1 §")
    download = resident.get(
        reverse("web:my-case-document", args=[bygglov_case.public_id, secret_number.sequence])
    )
    assert download.status_code == 404
    own = resident.get(reverse("web:my-case-document", args=[bygglov_case.public_id, 2]))
    assert own.status_code == 200


def test_the_party_of_a_secret_case_sees_their_own_documents_in_full(
    client, services, organisation
):
    case = secret_case(services, organisation)
    resident = type(client)()
    sign_in_resident(resident, FATIMA)
    page = resident.get(reverse("web:my-case", args=[case.public_id])).content.decode()
    assert "Ansökan om ekonomiskt bistånd" in page


def test_a_key_not_cleared_for_secrets_sees_a_secret_document_masked(
    client, organisation, bygglov_case
):
    writer = key_for(organisation)
    add_document(
        client, writer, bygglov_case, title="Uppgifter om Bo Grannes hälsa", counterpart="Bo Granne",
        secrecy_ground="OSL 25 kap. 1 §", text="Känsliga uppgifter",
    )  # fmt: skip
    for cleared, shown in ((False, None), (True, "Uppgifter om Bo Grannes hälsa")):
        auth = key_for(organisation, scopes=["cases:read"], secret_cases=cleared)
        detail = client.get(f"/api/cases/{bygglov_case.public_id}", **auth).json()
        [secret] = [d for d in detail["documents"] if d["secrecy_ground"]]
        assert secret["title"] == shown
        assert (secret["text"] == "Känsliga uppgifter") is cleared
        assert (secret["counterpart"] is None) is not cleared
