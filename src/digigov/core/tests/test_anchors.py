"""The audit log against its anchors (core.anchors): what the chain alone cannot show, a cut
tail, a chain deleted with its head, a chain rebuilt, is found and named rightly."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from digigov.core import anchors, audit
from digigov.core.models import AuditChainHead, AuditEntry
from digigov.core.tests.test_audit import append_only_guard_lifted, write_entries

pytestmark = pytest.mark.django_db


def chain_of(organisation):
    return audit.chain_for(organisation)


def without_anchors(settings, tmp_path):
    """What verification sees with no anchor at all (the chain alone)."""
    settings.ANCHOR_DIR = tmp_path / "none"
    return audit.verify()


def test_anchors_are_kept_outside_the_database_and_an_intact_log_verifies(organisation, capsys):
    write_entries(organisation)
    call_command("anchor")
    assert "chains anchored in 1 places" in capsys.readouterr().out
    [kept] = anchors.FileStore(Path(anchors.stores()[0].path).parent).checkpoints()
    heads = {head.log: head.sequence for head in kept.heads}
    assert heads[f"audit:{chain_of(organisation)}"] == 6
    assert audit.verify().ok


def test_a_cut_tail_with_its_head_moved_back_is_a_deletion(organisation, settings, tmp_path):
    rows = write_entries(organisation)
    anchors.checkpoint()
    chain = chain_of(organisation)
    with append_only_guard_lifted():
        AuditEntry.objects.filter(pk=rows[-1].pk).delete()
        AuditChainHead.objects.filter(chain=chain).update(
            sequence=rows[-2].sequence, entry_hash=rows[-2].entry_hash
        )
    found = audit.verify()
    assert [(p.chain, p.kind, p.sequence) for p in found.problems] == [(chain, "deleted", 6)]
    assert without_anchors(settings, tmp_path).ok  # the chain alone shows nothing


def test_a_chain_deleted_with_its_head_is_a_deletion_not_an_insertion(organisation):
    write_entries(organisation)
    anchors.checkpoint()
    chain = chain_of(organisation)
    with append_only_guard_lifted():
        AuditEntry.objects.filter(chain=chain).delete()
        AuditChainHead.objects.filter(chain=chain).delete()
    problems = audit.verify().problems
    assert [(p.chain, p.kind) for p in problems] == [(chain, "deleted")]
    assert "gone" in problems[0].message


def test_a_chain_rebuilt_consistently_is_found(organisation, settings, tmp_path):
    """Someone with write access changes a row and recomputes every hash after it and the
    head: the chain is whole again, but not the one anchored."""
    rows = write_entries(organisation)
    anchors.checkpoint()
    chain = chain_of(organisation)
    with append_only_guard_lifted():
        previous = rows[1].previous_hash
        for row in AuditEntry.objects.filter(chain=chain, sequence__gte=3).order_by("sequence"):
            if row.sequence == 3:
                row.data = {"n": "forged"}
            row.previous_hash = previous
            row.entry_hash = audit.compute_hash(row)
            AuditEntry.objects.filter(pk=row.pk).update(
                data=row.data, previous_hash=row.previous_hash, entry_hash=row.entry_hash
            )
            previous = row.entry_hash
        AuditChainHead.objects.filter(chain=chain).update(entry_hash=previous)
    problems = audit.verify().problems
    assert [(p.chain, p.kind, p.sequence) for p in problems] == [(chain, "changed", 6)]
    assert "rebuilt" in problems[0].message
    assert without_anchors(settings, tmp_path).ok


def test_a_changed_anchor_file_is_itself_a_problem(organisation, capsys):
    write_entries(organisation)
    anchors.checkpoint()
    anchors.checkpoint()
    path = anchors.stores()[0].path
    first, second = path.read_text().splitlines()
    path.write_text(first.replace('"made_at":"', '"made_at":"1') + "\n" + second + "\n")
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit", "verify")
    assert "cannot be read" in capsys.readouterr().err
