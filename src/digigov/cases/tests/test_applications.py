"""Applying: drafts, prefill, attachments, submission and the case it opens."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from digigov.cases import actions, queries
from digigov.cases.models import Application, Attachment, Case, CaseEvent, Document
from digigov.conftest import BYGGLOV_ANSWERS, PDF, PNG, sign_application, submit_bygglov
from digigov.core.actors import Actor
from digigov.core.models import AuditEntry
from digigov.identity import loa

pytestmark = pytest.mark.django_db

ANNA = Actor.person("199003152387", "Anna Andersson")
ERIK = Actor.person("198511224571", "Erik Lindqvist")
GARAGE = BYGGLOV_ANSWERS


def start(services, actor=ANNA, code="BYGGLOV", kind="person", applicant=None):
    return actions.start_application(
        actor=actor,
        service_version=services[code],
        applicant_kind=kind,
        applicant_identifier=applicant or actor.identifier,
        actor_loa="http://id.elegnamnden.se/loa/1.0/loa3",
    )


def attach(application, field_id, content=PDF, name="ritning.pdf", actor=ANNA):
    return actions.add_attachment(
        actor=actor, application=application, field_id=field_id, file_name=name, chunks=[content]
    )


def complete_garage(services):
    application = start(services)
    application = actions.save_answers(actor=ANNA, application=application, answers=GARAGE)
    for field in ("situationsplan", "planritning", "fasadritning"):
        attach(application, field)
    sign_application(application, ANNA.identifier)  # Bygglov is signed with e-ID
    application.refresh_from_db()
    return application


def test_a_draft_is_prefilled_from_the_registers(services):
    application = start(services)
    assert application.answers == {"fastighetsbeteckning": "Exempelby Björken 1:23"}
    assert application.applicant_name == "Anna Andersson"
    household = start(
        services, actor=Actor.person("197206086147", "Fatima Hassan"), code="EKONOMISKT_BISTAND"
    )
    assert household.answers["adress"] == {
        "street": "Parkvägen 12",
        "postal_code": "99920",
        "city": "Provstad",
    }
    assert household.answers["hushallsmedlemmar"] == [
        {"namn": "Maja Nilsson", "personnummer": "200402291280"},
        {"namn": "Adam Hassan", "personnummer": "201505122380"},
    ]


def test_a_draft_is_saved_and_continued_later(services):
    application = start(services)
    actions.save_answers(actor=ANNA, application=application, answers={"atgard": "garage_carport"})
    later = queries.draft_for(ANNA.identifier, application.public_id, loa=loa.LOA3)
    assert later.answers["atgard"] == "garage_carport"
    assert later.answers["fastighetsbeteckning"] == "Exempelby Björken 1:23"


def test_another_persons_draft_is_not_found(services):
    application = start(services)
    assert queries.draft_for(ERIK.identifier, application.public_id, loa=loa.LOA3) is None
    assert queries.application_for(ERIK.identifier, application.public_id, loa=loa.LOA3) is None
    assert queries.draft_for(ANNA.identifier, "not-a-uuid", loa=loa.LOA3) is None


def test_a_stale_save_is_refused_and_changes_nothing(services):
    application = start(services)
    first = actions.save_answers(
        actor=ANNA, application=application, answers={"atgard": "rivning"}, revision=1
    )
    with pytest.raises(ValidationError) as error:
        actions.save_answers(
            actor=ANNA, application=application, answers={"atgard": "nybyggnad"}, revision=1
        )
    assert error.value.code == "stale"
    assert Application.objects.get(pk=first.pk).answers["atgard"] == "rivning"


def test_unknown_questions_are_refused(services):
    with pytest.raises(ValidationError) as error:
        actions.save_answers(actor=ANNA, application=start(services), answers={"hack": 1})
    assert error.value.code == "unknown_field"


def test_attachments_are_recognised_by_content_not_name(services, attachment_root):
    application = start(services)
    attachment = attach(application, "situationsplan", content=PNG, name="plan.pdf")
    assert attachment.content_type == "image/png"
    assert attachment.file_name == "plan.pdf.png"
    assert (attachment_root / attachment.storage_name).read_bytes() == PNG
    with pytest.raises(ValidationError) as error:
        attach(application, "situationsplan", content=b"MZ\x90\x00 not a pdf", name="virus.pdf")
    assert error.value.code == "file_type"
    assert Attachment.objects.count() == 1
    assert len(list(attachment_root.rglob("*.*"))) == 1


def test_an_oversized_attachment_is_refused_and_nothing_is_stored(services, attachment_root):
    application = start(services, code="EKONOMISKT_BISTAND", actor=Actor.person("197206086147"))
    big = PDF + b"0" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError) as error:
        actions.add_attachment(
            actor=Actor.person("197206086147"), application=application,
            field_id="kontoutdrag", file_name="stor.pdf", chunks=[big],
        )  # fmt: skip
    assert error.value.code == "file_size"
    assert "högst 10 MB" in error.value.messages[0]
    assert Attachment.objects.count() == 0
    assert list(attachment_root.rglob("*.*")) == []


def test_too_many_files_are_refused(services):
    application = start(services)
    for _ in range(3):
        attach(application, "situationsplan")
    with pytest.raises(ValidationError) as error:
        attach(application, "situationsplan")
    assert error.value.code == "file_count"


def test_the_virus_scanner_refuses_an_infected_file(services, settings, monkeypatch):
    from digigov.cases import storage

    class Infected:
        def scan(self, chunks):
            raise storage.ScanError(True, "stream: Eicar-Test-Signature FOUND")

    monkeypatch.setattr(storage, "scanner", lambda: Infected())
    with pytest.raises(ValidationError) as error:
        attach(start(services), "situationsplan")
    assert error.value.code == "file_infected"
    assert Attachment.objects.count() == 0


def test_submitting_opens_a_case_with_a_registrar_number(services):
    application = complete_garage(services)
    case = actions.submit_application(actor=ANNA, application_id=application.pk, actor_loa=loa.LOA3)
    application.refresh_from_db()
    assert application.status == "submitted" and application.reference
    assert case.registrar_number == f"BN {case.year}/00001"
    assert case.state == "inkommen"
    assert application.answers["bruttoarea"] == 36  # cleaned on submission
    first_document = Document.objects.filter(case=case).order_by("pk").first()
    assert first_document.title == f"Ansökan om bygglov ({application.reference})"
    assert Document.objects.filter(case=case, attachment__isnull=False).count() == 3
    event = CaseEvent.objects.get(case=case)
    assert event.event_type == "EXEMPELBY.BYGGLOV.INKOMMEN"
    [submitted] = AuditEntry.objects.filter(action="application.submitted")
    assert (submitted.object_type, submitted.object_id) == ("case", case.registrar_number)
    assert submitted.data["reference"] == application.reference


def test_a_double_submission_gives_one_application_and_one_case(services):
    application = complete_garage(services)
    first = actions.submit_application(
        actor=ANNA, application_id=application.pk, actor_loa=loa.LOA3
    )
    second = actions.submit_application(
        actor=ANNA, application_id=application.pk, actor_loa=loa.LOA3
    )
    assert first.pk == second.pk
    assert Case.objects.count() == 1


def test_an_incomplete_application_is_not_submitted(services):
    application = start(services)
    with pytest.raises(ValidationError) as error:
        actions.submit_application(actor=ANNA, application_id=application.pk, actor_loa=loa.LOA3)
    assert "situationsplan" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == "draft"
    assert Case.objects.count() == 0


def test_too_low_an_assurance_level_is_refused(services):
    application = complete_garage(services)
    with pytest.raises(loa.StepUp) as error:
        actions.submit_application(actor=ANNA, application_id=application.pk, actor_loa=loa.LOA2)
    assert error.value.required == loa.LOA3
    assert Case.objects.count() == 0


def test_a_submitted_application_cannot_be_changed(services):
    application = complete_garage(services)
    actions.submit_application(actor=ANNA, application_id=application.pk, actor_loa=loa.LOA3)
    with pytest.raises(ValidationError) as error:
        actions.save_answers(actor=ANNA, application=application, answers={"atgard": "rivning"})
    assert error.value.code == "not_draft"


def test_only_a_sole_signatory_may_apply_for_a_company(services):
    erik_company = start(
        services, actor=ERIK, code="SERVERINGSTILLSTAND", kind="company", applicant="5566778899"
    )
    assert erik_company.applicant_name == "Exempelkrogen AB"
    assert erik_company.answers["bolagets_namn"] == "Exempelkrogen AB"
    with pytest.raises(ValidationError) as error:
        start(
            services, actor=ANNA, code="SERVERINGSTILLSTAND", kind="company", applicant="5566778899"
        )
    assert error.value.code == "not_representative"
    # Anna signs for Provstad Bygg only together with Gunnel
    with pytest.raises(ValidationError) as error:
        start(
            services, actor=ANNA, code="SERVERINGSTILLSTAND", kind="company", applicant="5599112231"
        )
    assert error.value.code == "not_representative"


def test_a_person_cannot_apply_in_another_persons_name(services):
    with pytest.raises(ValidationError) as error:
        start(services, actor=ANNA, applicant="198511224571")
    assert error.value.code == "not_representative"


def test_an_old_version_cannot_be_started_but_started_drafts_keep_theirs(services, organisation):
    from digigov.services import actions as service_actions
    from digigov.services import catalogue

    application = start(services)
    old = services["BYGGLOV"]
    spec = catalogue.spec_of(old).model_copy(update={"version": "1.3.0"})
    service_actions.install_package(
        actor=Actor.system("tests"), organisation=organisation, spec=spec
    )
    old.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        start({"BYGGLOV": old})
    assert error.value.code == "old_version"
    application.refresh_from_db()
    assert application.service_version == old  # the draft keeps its version


def test_registrar_numbers_follow_each_other(services):
    numbers = []
    for _ in range(3):
        case = actions.submit_application(
            actor=ANNA, application_id=complete_garage(services).pk, actor_loa=loa.LOA3
        )
        numbers.append(case.number)
    assert numbers == [1, 2, 3]


def test_a_rolled_back_number_is_given_again(services, organisation):
    with transaction.atomic():
        first = actions.next_registrar_number(organisation.pk, "BN", 2026)
        transaction.set_rollback(True)
    assert actions.next_registrar_number(organisation.pk, "BN", 2026) == first


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are what is tested; CI runs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_are_unique_and_gapless(organisation):
    writers, each = 8, 25
    barrier = threading.Barrier(writers)
    taken: list[int] = []
    failures: list[BaseException] = []

    def take() -> None:
        try:
            barrier.wait()
            for _ in range(each):
                with transaction.atomic():
                    taken.append(actions.next_registrar_number(organisation.pk, "BN", 2026))
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(taken) == list(range(1, writers * each + 1))


def test_the_event_prefix_is_the_slug_in_letters_only(services, organisation):
    """Mina ärenden's kundhandelseTyp starts with letters only: no hyphens or digits."""
    organisation.slug = "exempel-by2"
    organisation.save(update_fields=["slug"])
    case = submit_bygglov(services)
    assert CaseEvent.objects.get(case=case).event_type == "EXEMPELBY.BYGGLOV.INKOMMEN"
