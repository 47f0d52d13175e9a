import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from digigov.core.actors import Actor
from digigov.core.models import AuditEntry
from digigov.services import actions, package, queries
from digigov.services.models import ServiceVersion

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")


def bygglov(version="1.0.0", **changes):
    spec = package.load(package.BUILT_IN / "bygglov").spec
    return spec.model_copy(update={"version": version, **changes})


def test_installing_twice_is_idempotent(organisation):
    first = actions.install_package(actor=ACTOR, organisation=organisation, spec=bygglov())
    second = actions.install_package(actor=ACTOR, organisation=organisation, spec=bygglov())
    assert first.pk == second.pk
    assert AuditEntry.objects.filter(action="service.installed").count() == 1


def test_a_new_version_becomes_current_and_the_old_one_stays(organisation):
    old = actions.install_package(actor=ACTOR, organisation=organisation, spec=bygglov())
    new = actions.install_package(actor=ACTOR, organisation=organisation, spec=bygglov("1.3.0"))
    old.refresh_from_db()
    assert (old.is_current, new.is_current) == (False, True)
    assert queries.current_service(organisation, "BYGGLOV") == new


def test_the_same_version_with_other_content_is_refused(organisation):
    actions.install_package(actor=ACTOR, organisation=organisation, spec=bygglov())
    changed = bygglov(search_words={"sv": ["annat"], "en": ["other"]})
    with pytest.raises(ValidationError, match="Höj versionsnumret"):
        actions.install_package(actor=ACTOR, organisation=organisation, spec=changed)
    assert ServiceVersion.objects.count() == 1


def test_an_agency_cannot_offer_a_municipal_service(system_actor):
    from digigov.core.actions import save_organisation

    agency = save_organisation(
        actor=system_actor, slug="verket", name="Verket", kind="myndighet",
        organisation_number="202100-9978",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="kan inte erbjudas"):
        actions.install_package(actor=ACTOR, organisation=agency, spec=bygglov())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bygga garage", ["BYGGLOV"]),
        ("Garaget", ["BYGGLOV"]),
        ("försörjningsstöd hyra", ["EKONOMISKT_BISTAND"]),
        ("servera öl på uteservering", ["SERVERINGSTILLSTAND"]),
        ("alcohol licence", ["SERVERINGSTILLSTAND"]),
        ("", ["EKONOMISKT_BISTAND", "BYGGLOV", "SERVERINGSTILLSTAND"]),
        ("flygplan", []),
    ],
)
def test_services_are_found_by_plain_words(organisation, query, expected):
    for folder in package.built_in_packages():
        actions.install_package(
            actor=ACTOR, organisation=organisation, spec=package.load(folder).spec
        )
    assert sorted(s.code for s in queries.search(query).services) == sorted(expected)


def test_the_command_installs_and_refuses_clearly(organisation, tmp_path, capsys):
    call_command(
        "services", "install", str(package.BUILT_IN / "bygglov"), "--organisation", "exempelby"
    )
    assert "installed BYGGLOV 1.2.0 for exempelby" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no organisation"):
        call_command(
            "services", "install", str(package.BUILT_IN / "bygglov"), "--organisation", "x"
        )
    with pytest.raises(CommandError, match="not a folder"):
        call_command("services", "install", str(tmp_path / "none"), "--organisation", "exempelby")


def test_the_command_runs_the_package_tests(capsys):
    call_command("services", "test")
    out = capsys.readouterr().out
    assert "BYGGLOV 1.2.0: 11 passed, 0 failed" in out
