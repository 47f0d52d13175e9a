import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from digigov.core import audit
from digigov.core.actors import Actor
from digigov.core.models import AuditEntry

ACTOR = Actor.person("199003152387")


@contextmanager
def append_only_guard_lifted() -> Iterator[None]:
    """Play the attacker with direct database access: lift the triggers for this test.

    Inside the test's transaction, so the guard is back when the test ends.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Transaction-local, so it ends with the test's transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
    yield


def write_entries(organisation, count=5):
    return [
        audit.record(
            actor=ACTOR,
            action="test.action",
            organisation=organisation,
            object_type="thing",
            object_id=i,
            purpose="testing",
            data={"n": i},
        )
        for i in range(1, count + 1)
    ]


def kinds(report):
    return [(p.kind, p.sequence) for p in report.problems]


def test_an_untouched_log_verifies(organisation):
    write_entries(organisation)
    report = audit.verify()
    assert report.ok
    # one row for creating the organisation, five written here
    assert report.entries == 6


def test_rows_form_a_chain_per_organisation(organisation, other_organisation):
    first = write_entries(organisation, 2)
    other = write_entries(other_organisation, 2)
    assert [e.sequence for e in first] == [2, 3]
    assert [e.sequence for e in other] == [2, 3]
    assert first[1].previous_hash == first[0].entry_hash
    assert first[0].chain != other[0].chain


def test_the_database_refuses_to_change_rows(organisation):
    entry = write_entries(organisation, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL has the delete trigger"
)
def test_postgresql_refuses_to_delete_rows(organisation):
    entry = write_entries(organisation, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_a_changed_row_is_named(organisation):
    entries = write_entries(organisation)
    with append_only_guard_lifted():
        AuditEntry.objects.filter(pk=entries[2].pk).update(purpose="something else")
    assert kinds(audit.verify()) == [("changed", entries[2].sequence)]


def test_a_deleted_row_is_named(organisation):
    entries = write_entries(organisation)
    with append_only_guard_lifted():
        AuditEntry.objects.filter(pk=entries[1].pk).delete()
    assert kinds(audit.verify()) == [("deleted", entries[1].sequence)]


def test_a_deleted_tail_is_noticed(organisation):
    entries = write_entries(organisation)
    with append_only_guard_lifted():
        AuditEntry.objects.filter(pk=entries[-1].pk).delete()
    assert kinds(audit.verify()) == [("deleted", entries[-1].sequence)]


def forged_after(predecessor: AuditEntry, sequence: int) -> AuditEntry:
    """A row made by someone who knows the hashing rule, to look genuine on its own."""
    forged = AuditEntry(
        chain=predecessor.chain,
        sequence=sequence,
        recorded_at=predecessor.recorded_at,
        organisation=predecessor.organisation,
        actor="person:198511224571",
        action="test.forged",
        previous_hash=predecessor.entry_hash,
    )
    forged.entry_hash = audit.compute_hash(forged)
    return forged


def test_a_row_inserted_in_the_middle_is_named(organisation):
    entries = write_entries(organisation)
    with append_only_guard_lifted():
        # make room after entries[1] and put a well-formed row there
        for entry in reversed(entries[2:]):
            AuditEntry.objects.filter(pk=entry.pk).update(sequence=entry.sequence + 1)
        forged_after(entries[1], entries[2].sequence).save()
    report = audit.verify()
    assert ("inserted", entries[2].sequence) in kinds(report)
    assert all(kind in {"inserted"} for kind, _ in kinds(report))


def test_a_row_appended_outside_the_log_is_named(organisation):
    entries = write_entries(organisation)
    forged_after(entries[-1], entries[-1].sequence + 1).save()
    assert kinds(audit.verify()) == [("inserted", entries[-1].sequence + 1)]


def test_reordered_rows_are_named(organisation):
    entries = write_entries(organisation)
    a, b = entries[1], entries[2]
    with append_only_guard_lifted():
        AuditEntry.objects.filter(pk=a.pk).update(sequence=10**9)
        AuditEntry.objects.filter(pk=b.pk).update(sequence=a.sequence)
        AuditEntry.objects.filter(pk=a.pk).update(sequence=b.sequence)
    report = audit.verify()
    assert report.problems
    assert {kind for kind, _ in kinds(report)} == {"reordered"}
    assert a.sequence in [sequence for _, sequence in kinds(report)]


def test_the_command_says_intact_or_lists_the_problems(organisation, capsys):
    entries = write_entries(organisation)
    call_command("audit", "verify")
    assert "audit log intact: 6 entries in 1 chains" in capsys.readouterr().out
    with append_only_guard_lifted():
        AuditEntry.objects.filter(pk=entries[0].pk).update(actor="person:198511224571")
    with pytest.raises(CommandError, match="NOT intact: 1 problems"):
        call_command("audit", "verify")
    assert f"#{entries[0].sequence}: changed" in capsys.readouterr().err


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are what is tested; CI runs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain(organisation):
    writers, per_writer = 8, 15
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    audit.record(
                        actor=ACTOR,
                        action="test.concurrent",
                        organisation=organisation,
                        object_id=f"{n}-{i}",
                    )
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    report = audit.verify()
    assert report.ok, report.problems
    sequences = list(
        AuditEntry.objects.filter(chain=audit.chain_for(organisation)).values_list(
            "sequence", flat=True
        )
    )
    assert sequences == list(range(1, writers * per_writer + 2))
