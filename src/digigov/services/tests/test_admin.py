import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from digigov.conftest import make_staff
from digigov.services import package
from digigov.services.models import ServiceVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = get_user_model().objects.create_superuser("operator", password="a-long-password-1")
    client.force_login(user)
    return client


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("service.yaml", content, content_type="application/x-yaml")


def test_the_admin_installs_a_package(operator, organisation):
    source = (package.BUILT_IN / "bygglov" / "service.yaml").read_bytes()
    response = operator.post(
        "/admin/services/serviceversion/install/",
        {"organisation": organisation.pk, "service_file": upload(source)},
    )
    assert response.status_code == 302
    assert ServiceVersion.objects.get().code == "BYGGLOV"


def test_the_admin_names_what_is_wrong_and_installs_nothing(operator, organisation):
    response = operator.post(
        "/admin/services/serviceversion/install/",
        {"organisation": organisation.pk, "service_file": upload(b"code: bygglov\nversion: 1\n")},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "service.yaml: code: String should match pattern" in body
    assert ServiceVersion.objects.count() == 0


def test_only_staff_reach_the_install_form(client, organisation):
    response = client.get("/admin/services/serviceversion/install/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.fixture
def alva(client, organisation, other_organisation):
    """Exempelby's service administrator."""
    client.force_login(make_staff("alva", [(organisation, "administrator")]))
    return client


def test_a_service_administrator_installs_only_for_their_organisation(
    alva, organisation, other_organisation
):
    source = (package.BUILT_IN / "bygglov" / "service.yaml").read_bytes()
    form = alva.get("/admin/services/serviceversion/install/").content.decode()
    assert "Exempelby kommun" in form and "Provstad kommun" not in form
    refused = alva.post(
        "/admin/services/serviceversion/install/",
        {
            "organisation": other_organisation.pk,
            "service_file": SimpleUploadedFile("service.yaml", source),
        },
    )
    assert refused.status_code == 200 and not ServiceVersion.objects.exists()
    installed = alva.post(
        "/admin/services/serviceversion/install/",
        {
            "organisation": organisation.pk,
            "service_file": SimpleUploadedFile("service.yaml", source),
        },
    )
    assert installed.status_code == 302
    assert ServiceVersion.objects.get().organisation == organisation


def test_an_installed_version_is_shown_never_edited(alva, organisation, services):
    version = services["BYGGLOV"]
    change = f"/admin/services/serviceversion/{version.pk}/change/"
    assert alva.get(change).status_code == 200  # to look at
    assert alva.post(change, {"is_current": ""}).status_code == 403
