"""Case handling: the process, requests and answers, extensions, decisions, access records."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from digigov.cases import actions, queries, storage
from digigov.cases.models import Case, CaseEvent, CaseRequest, Decision, Document
from digigov.conftest import ANNA, PDF, make_staff, pdf_streams
from digigov.core import clock
from digigov.core.actors import Actor
from digigov.core.models import AccessRecord, AuditEntry
from digigov.identity.loa import LOA3
from digigov.services import catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(organisation, case_worker):
    return actions.staff_in(case_worker, organisation.pk)


def fresh(case):
    return Case.objects.select_related("organisation", "service_version", "application").get(
        pk=case.pk
    )


def take(worker, case, transition, **kwargs):
    current = fresh(case)
    return actions.take(
        staff=worker, case=current, transition_id=transition, revision=current.revision, **kwargs
    )


def in_three_weeks():
    return clock.today() + dt.timedelta(weeks=3)


def test_a_new_case_has_its_clock_and_numbered_documents(bygglov_case):
    case = fresh(bygglov_case)
    assert case.service_code == "BYGGLOV"
    assert case.applicant_name == "Anna Andersson"
    assert case.clock_started_on == clock.today()
    assert case.deadline == clock.today() + dt.timedelta(weeks=10)
    numbers = [d.number for d in queries.documents_of(case)]
    assert numbers == [f"{case.registrar_number}-{n}" for n in (1, 2, 3, 4)]
    assert [d.kind for d in queries.documents_of(case)] == ["application"] + ["attachment"] * 3


def test_a_case_goes_through_its_process_to_a_decision(bygglov_case, worker, travel):
    take(worker, bygglov_case, "paborja")
    take(
        worker,
        bygglov_case,
        "kommunicera",
        message="Grannen har yttrat sig.",
        due_on=in_three_weeks(),
    )
    case = fresh(bygglov_case)
    assert case.state == "kommunicering" and case.resident_must_act
    actions.answer_request(
        actor_loa=LOA3,
        actor=Actor.person(ANNA),
        case=case,
        text="Jag har inget att tillägga.",
        files=[],
    )
    travel.forward(days=3)
    decided = take(
        worker, bygglov_case, "besluta", outcome="bifall", reasons="Åtgärden följer detaljplanen."
    )
    assert decided.state == "beslutad" and decided.finished and decided.decided_at
    decision = Decision.objects.get(case=decided)
    assert decision.outcome_label_sv == "Bygglov beviljas"
    assert "länsstyrelsen" in decision.appeal_text_sv
    assert decision.appeal_within_days == 21
    assert decision.fee == 4800 and decision.weeks_late == 0  # 36 m² × 60 kr, at least 4 800
    pdf = storage.open_stored(decision.document.storage_name).read_bytes()
    assert pdf.startswith(b"%PDF-") and b'pdfaid:part="2"' in pdf_streams(pdf)  # PDF/A-2
    closed = take(worker, bygglov_case, "avsluta")
    assert closed.closed_at is not None
    types = list(
        CaseEvent.objects.filter(case=closed).order_by("pk").values_list("event_type", flat=True)
    )
    assert types == [
        "EXEMPELBY.BYGGLOV.INKOMMEN",
        "EXEMPELBY.BYGGLOV.UNDER_HANDLAGGNING",
        "EXEMPELBY.BYGGLOV.KOMMUNICERING",
        "EXEMPELBY.BYGGLOV.YTTRANDE_INKOMMET",
        "EXEMPELBY.BYGGLOV.BESLUT",
        "EXEMPELBY.BYGGLOV.AVSLUTAT",
    ]
    last = CaseEvent.objects.filter(case=closed).order_by("pk").last()
    assert last.finished and not last.resident_must_act
    actions_logged = set(
        AuditEntry.objects.filter(object_id=closed.registrar_number).values_list(
            "action", flat=True
        )
    )
    assert {
        "case.move",
        "case.communicate",
        "case.answered",
        "case.decide",
        "case.close",
    } <= actions_logged


def test_each_step_is_its_own_action_and_refuses_another_kind_of_step(bygglov_case, worker):
    case = fresh(bygglov_case)
    with pytest.raises(actions.Refused) as refused:
        actions.decide_case(
            staff=worker,
            case=case,
            transition_id="paborja",
            revision=case.revision,
            outcome="bifall",
            reasons="Skäl.",
        )
    assert refused.value.code == "wrong_step"
    started = actions.move_case(
        staff=worker, case=case, transition_id="paborja", revision=case.revision
    )
    assert started.state == "under_handlaggning"


def test_a_transition_the_process_does_not_allow_is_refused(bygglov_case, worker):
    with pytest.raises(actions.Refused) as refused:
        take(worker, bygglov_case, "besluta", outcome="bifall", reasons="x")
    assert refused.value.code == "transition_not_allowed"
    assert "Besluta" in refused.value.message and "Inkommen" in refused.value.message
    with pytest.raises(actions.Refused) as unknown:
        take(worker, bygglov_case, "flyga")
    assert unknown.value.code == "unknown_transition"
    assert fresh(bygglov_case).state == "inkommen"


def test_a_role_the_process_does_not_name_is_refused(bygglov_case, organisation):
    registrar = actions.staff_in(
        make_staff("reg", [(organisation, "registrator")]), organisation.pk
    )
    take(registrar, bygglov_case, "paborja")  # registrators may start
    with pytest.raises(actions.Refused) as refused:
        take(registrar, bygglov_case, "begar_komplettering", message="x", due_on=in_three_weeks())
    assert refused.value.code == "role_not_allowed"


def test_a_decision_needs_an_outcome_and_reasons_and_nothing_is_half_written(bygglov_case, worker):
    take(worker, bygglov_case, "paborja")
    for outcome, reasons, field in [("bifall", "  ", "reasons"), ("okant", "Skäl.", "outcome")]:
        with pytest.raises(ValidationError) as error:
            take(worker, bygglov_case, "besluta", outcome=outcome, reasons=reasons)
        assert field in error.value.message_dict
    case = fresh(bygglov_case)
    assert case.state == "under_handlaggning" and not case.finished
    assert not Decision.objects.exists()
    assert not Document.objects.filter(kind="decision").exists()


def test_two_case_workers_saving_the_same_case_the_later_is_refused(
    bygglov_case, worker, organisation
):
    other = actions.staff_in(make_staff("hl2", [(organisation, "handlaggare")]), organisation.pk)
    seen_by_both = fresh(bygglov_case)
    actions.take(
        staff=worker, case=seen_by_both, transition_id="paborja", revision=seen_by_both.revision
    )
    with pytest.raises(actions.Refused) as refused:
        actions.assign(
            staff=other, case=seen_by_both, to=other.user, revision=seen_by_both.revision
        )
    assert refused.value.code == "stale"
    assert fresh(bygglov_case).assigned_to is None


def test_a_completion_request_and_its_answer_restart_the_bygglov_clock(
    bygglov_case, worker, travel
):
    travel.forward(days=5)
    take(
        worker,
        bygglov_case,
        "begar_komplettering",
        message="Bifoga en sektionsritning.",
        due_on=in_three_weeks(),
    )
    waiting = fresh(bygglov_case)
    assert waiting.state == "vantar_komplettering" and waiting.resident_must_act
    assert waiting.clock_started_on is None and waiting.clock_paused
    request = queries.open_request(waiting)
    assert request.due_on == in_three_weeks()
    assert request.document.direction == "out" and request.document.kind == "completion_request"

    travel.forward(days=10)
    answered = actions.answer_request(
        actor_loa=LOA3,
        actor=Actor.person(ANNA),
        case=waiting,
        text="Här är ritningen.",
        files=[("sektion.pdf", [PDF])],
    )
    assert answered.state == "under_handlaggning" and not answered.resident_must_act
    assert answered.clock_started_on == clock.today()
    assert answered.deadline == clock.today() + dt.timedelta(weeks=10)
    request.refresh_from_db()
    assert request.answered_at is not None
    kinds = [d.kind for d in queries.documents_of(answered)]
    assert kinds[-3:] == ["completion_request", "completion", "attachment"]


def test_an_answer_is_refused_when_there_is_nothing_to_answer_or_the_case_is_decided(
    bygglov_case, worker
):
    anna = Actor.person(ANNA)
    with pytest.raises(actions.Refused) as nothing:
        actions.answer_request(
            actor_loa=LOA3, actor=anna, case=fresh(bygglov_case), text="Hej", files=[]
        )
    assert nothing.value.code == "no_request"
    take(worker, bygglov_case, "paborja")
    take(worker, bygglov_case, "besluta", outcome="avslag", reasons="Strider mot detaljplanen.")
    with pytest.raises(actions.Refused) as closed:
        actions.answer_request(
            actor_loa=LOA3,
            actor=anna,
            case=fresh(bygglov_case),
            text="Sent svar",
            files=[("a.pdf", [PDF])],
        )
    assert closed.value.code == "finished"
    assert not Document.objects.filter(kind="completion").exists()


def test_an_answer_with_a_file_of_the_wrong_type_is_refused_and_nothing_is_kept(
    bygglov_case, worker, attachment_root
):
    take(worker, bygglov_case, "begar_komplettering", message="Mer.", due_on=in_three_weeks())
    with pytest.raises(ValidationError) as error:
        actions.answer_request(
            actor_loa=LOA3,
            actor=Actor.person(ANNA),
            case=fresh(bygglov_case),
            text="",
            files=[("a.pdf", [b"MZ not a pdf"])],
        )
    assert error.value.code == "file_type"
    assert CaseRequest.objects.get().answered_at is None
    assert fresh(bygglov_case).state == "vantar_komplettering"


def test_a_request_needs_a_message_and_a_future_date(bygglov_case, worker):
    for message, due_on, field in [
        ("", in_three_weeks(), "message"),
        ("Mer.", clock.today(), "due_on"),
        ("Mer.", None, "due_on"),
    ]:
        with pytest.raises(ValidationError) as error:
            take(worker, bygglov_case, "begar_komplettering", message=message, due_on=due_on)
        assert field in error.value.message_dict
    assert not CaseRequest.objects.exists()


def test_one_extension_with_a_reason_the_applicant_is_told(bygglov_case, worker):
    case = fresh(bygglov_case)
    before = case.deadline
    extended = actions.extend_deadline(
        staff=worker, case=case, days=28, reason="Remiss till Trafikverket.", revision=case.revision
    )
    assert extended.deadline == before + dt.timedelta(days=28)
    letter = queries.documents_of(extended).last()
    assert letter.kind == "extension" and letter.direction == "out"
    assert letter.text == "Remiss till Trafikverket."
    event = CaseEvent.objects.filter(case=extended).last()
    assert event.event_type == "EXEMPELBY.BYGGLOV.HANDLAGGNINGSTID_FORLANGD"
    again = fresh(bygglov_case)
    with pytest.raises(actions.Refused) as refused:
        actions.extend_deadline(
            staff=worker, case=again, days=7, reason="Igen.", revision=again.revision
        )
    assert refused.value.code == "extension_used"


def test_an_extension_is_at_most_ten_weeks(bygglov_case, worker):
    case = fresh(bygglov_case)
    for days in (0, 71):
        with pytest.raises(ValidationError):
            actions.extend_deadline(
                staff=worker, case=case, days=days, reason="Skäl.", revision=case.revision
            )
    assert fresh(bygglov_case).extended_days == 0


def test_a_late_bygglov_decision_reduces_the_fee_by_a_fifth_per_started_week(
    bygglov_case, worker, travel
):
    take(worker, bygglov_case, "paborja")
    travel.forward(weeks=10, days=8)  # eight days late: two started weeks
    decided = take(worker, bygglov_case, "besluta", outcome="bifall", reasons="Uppfyller kraven.")
    decision = Decision.objects.get(case=decided)
    assert decision.weeks_late == 2
    assert (decision.fee_before_reduction, decision.fee) == (4800, 2880)


def test_whether_an_outcome_charges_the_fee_is_the_packages_to_say(bygglov_case, worker):
    """Bygglov's dismissal says `charges_fee: false`; no outcome id is special in code."""
    take(worker, bygglov_case, "paborja")
    decided = take(
        worker, bygglov_case, "besluta", outcome="avvisning", reasons="Inte kompletterad i tid."
    )
    assert Decision.objects.get(case=decided).fee is None
    spec = catalogue.spec_of(decided.service_version)
    assert {o.id: o.charges_fee for o in spec.process.decisions.outcomes} == {
        "bifall": True,
        "avslag": True,
        "avvisning": False,
    }


def test_opening_a_case_leaves_an_access_record_for_the_applicant(bygglov_case, worker):
    actions.record_access(staff=worker, case=fresh(bygglov_case), purpose="Handläggning")
    [record] = AccessRecord.objects.filter(subject=ANNA)
    assert record.actor == f"staff:{worker.user.username}" and record.actor_role == "handlaggare"
    assert record.object_id == bygglov_case.registrar_number
    assert record.purpose == "Handläggning"


def test_staff_of_another_organisation_do_not_find_the_case(bygglov_case, other_organisation):
    stranger = make_staff("annan", [(other_organisation, "handlaggare")])
    assert queries.case_for_staff(stranger, bygglov_case.public_id) is None
    assert queries.case_for_person("198511224571", bygglov_case.public_id, loa=LOA3) is None
    assert queries.case_for_person(ANNA, bygglov_case.public_id, loa=LOA3) == bygglov_case


def test_the_queue_filters_and_sorts_by_deadline(
    services, organisation, case_worker, worker, travel
):
    from digigov.conftest import submit_bygglov

    first = submit_bygglov(services)
    travel.forward(days=2)
    second = submit_bygglov(services, "198511224571")
    actions.assign(
        staff=worker, case=fresh(second), to=case_worker, revision=fresh(second).revision
    )
    everything, more = queries.queue(
        queries.reader_for_staff(case_worker),
        organisation.pk,
        queries.QueueFilter(),
        user_id=case_worker.pk,
    )
    assert [c.pk for c in everything] == [first.pk, second.pk] and not more
    mine, _ = queries.queue(
        queries.reader_for_staff(case_worker),
        organisation.pk,
        queries.QueueFilter(assigned="me"),
        user_id=case_worker.pk,
    )
    assert [c.pk for c in mine] == [second.pk]
    nobodys, _ = queries.queue(
        queries.reader_for_staff(case_worker),
        organisation.pk,
        queries.QueueFilter(assigned="none"),
        user_id=case_worker.pk,
    )
    assert [c.pk for c in nobodys] == [first.pk]
    travel.forward(weeks=9)
    near, _ = queries.queue(
        queries.reader_for_staff(case_worker),
        organisation.pk,
        queries.QueueFilter(due="near"),
        user_id=None,
    )
    assert {c.pk for c in near} == {first.pk, second.pk}
    travel.forward(weeks=2)
    late, _ = queries.queue(
        queries.reader_for_staff(case_worker),
        organisation.pk,
        queries.QueueFilter(due="late"),
        user_id=None,
    )
    assert {c.pk for c in late} == {first.pk, second.pk}
    other_service, _ = queries.queue(
        queries.reader_for_staff(case_worker),
        organisation.pk,
        queries.QueueFilter(service="SERVERINGSTILLSTAND"),
        user_id=None,
    )
    assert other_service == []
