"""Writing and verifying the hash-chained audit log (docs/adr/0002)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction

from digigov.core import anchors, clock
from digigov.core.actors import Actor
from digigov.core.models import AuditChainHead, AuditEntry, Organisation

GENESIS_HASH = "0" * 64
PLATFORM_CHAIN = "platform"


def chain_for(organisation: Organisation | None) -> str:
    return PLATFORM_CHAIN if organisation is None else f"organisation:{organisation.pk}"


def compute_hash(entry: AuditEntry) -> str:
    """SHA-256 over the row's content and its predecessor's hash.

    The sequence number is left out on purpose: a row's place is proven by
    the link to its predecessor, which lets verification tell a moved row
    (reordered) from an edited one (changed).
    """
    content = {
        "chain": entry.chain,
        "recorded_at": entry.recorded_at.isoformat(timespec="microseconds"),
        "organisation": entry.organisation_id,
        "actor": entry.actor,
        "on_behalf_of": entry.on_behalf_of,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "purpose": entry.purpose,
        "data": entry.data,
        "previous_hash": entry.previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    *,
    actor: Actor,
    action: str,
    organisation: Organisation | None = None,
    on_behalf_of: str = "",
    object_type: str = "",
    object_id: str | int | uuid.UUID = "",
    purpose: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one row to the organisation's chain, inside the caller's transaction."""
    chain = chain_for(organisation)
    # Part of the caller's transaction (no savepoint of its own): the row and the
    # change it records commit or roll back together.
    with transaction.atomic(savepoint=False):
        # The row lock is held until the caller's transaction commits, so rows of
        # one chain are written one after the other, in commit order.
        head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
        if head is None:
            AuditChainHead.objects.get_or_create(chain=chain, defaults={"entry_hash": GENESIS_HASH})
            head = AuditChainHead.objects.select_for_update().get(chain=chain)
        entry = AuditEntry(
            chain=chain,
            sequence=head.sequence + 1,
            recorded_at=clock.now(),
            organisation=organisation,
            actor=str(actor),
            on_behalf_of=on_behalf_of,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            purpose=purpose,
            # Round-trip through JSON so the hash covers exactly what is stored.
            data=json.loads(json.dumps(data or {}, default=str)),
            previous_hash=head.entry_hash,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(chain=chain).update(
            sequence=entry.sequence, entry_hash=entry.entry_hash
        )
    return entry


ProblemKind = Literal["changed", "deleted", "inserted", "reordered", "head"]


@dataclass(frozen=True)
class Problem:
    chain: str
    kind: ProblemKind
    sequence: int
    message: str

    def __str__(self) -> str:
        return f"{self.chain} #{self.sequence}: {self.kind}: {self.message}"


@dataclass(frozen=True)
class VerifyReport:
    chains: int
    entries: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify() -> VerifyReport:
    """Walk every chain and report each row that was changed, deleted, inserted or moved;
    then compare every chain with the checkpoints it was anchored in (core.anchors), which
    shows a cut tail, a chain deleted with its head, and a chain rebuilt from scratch."""
    heads = {head.chain: head for head in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    problems: list[Problem] = []
    total = 0
    for chain in sorted(chains):
        rows = list(AuditEntry.objects.filter(chain=chain).order_by("sequence"))
        total += len(rows)
        problems += _verify_chain(chain, rows, heads.get(chain))
    for found in anchors.check(AuditChains.name):
        kind: ProblemKind = "changed" if found.kind == "rebuilt" else "deleted"
        if found.kind == "anchors":
            kind = "head"
        chain = found.log.removeprefix(f"{AuditChains.name}:")
        problems.append(Problem(chain, kind, found.sequence, found.message))
    return VerifyReport(chains=len(chains), entries=total, problems=problems)


class AuditChains:
    """The audit log's chains, as anchors see them."""

    name = "audit"

    def heads(self) -> list[anchors.Head]:
        return [
            anchors.Head(f"{self.name}:{head.chain}", head.sequence, head.entry_hash)
            for head in AuditChainHead.objects.order_by("chain")
        ]

    def hash_at(self, log: str, sequence: int) -> str | None:
        found: str | None = (
            AuditEntry.objects.filter(chain=log.removeprefix(f"{self.name}:"), sequence=sequence)
            .values_list("entry_hash", flat=True)
            .first()
        )
        return found


def _verify_chain(
    chain: str, rows: Iterable[AuditEntry], head: AuditChainHead | None
) -> list[Problem]:
    rows = list(rows)
    known_hashes = {row.entry_hash for row in rows}
    claims = Counter(row.previous_hash for row in rows)
    problems: list[Problem] = []
    previous: AuditEntry | None = None
    for row in rows:
        expected_sequence = previous.sequence + 1 if previous else 1
        expected_link = previous.entry_hash if previous else GENESIS_HASH
        gap = row.sequence != expected_sequence
        if gap:
            missing = (
                str(expected_sequence)
                if row.sequence - expected_sequence == 1
                else f"{expected_sequence}-{row.sequence - 1}"
            )
            problems.append(
                Problem(chain, "deleted", expected_sequence, f"row {missing} is missing")
            )
        if compute_hash(row) != row.entry_hash:
            problems.append(
                Problem(chain, "changed", row.sequence, "the row's content does not match its hash")
            )
        elif row.previous_hash != expected_link and not gap:
            if (
                previous is not None
                and claims[row.previous_hash] > 1
                and (previous.previous_hash == row.previous_hash)
            ):
                problems.append(
                    Problem(
                        chain,
                        "inserted",
                        previous.sequence,
                        "the row was put in between two rows that were written one after the other",
                    )
                )
            elif row.previous_hash in known_hashes or row.previous_hash == GENESIS_HASH:
                problems.append(
                    Problem(
                        chain,
                        "reordered",
                        row.sequence,
                        "the row was written after a different row than the one before it now",
                    )
                )
            else:
                problems.append(
                    Problem(chain, "inserted", row.sequence, "the row follows no row of this chain")
                )
        previous = row
    problems += _verify_head(chain, previous, head)
    return problems


def _verify_head(chain: str, last: AuditEntry | None, head: AuditChainHead | None) -> list[Problem]:
    head_sequence = head.sequence if head else 0
    last_sequence = last.sequence if last else 0
    if last_sequence > head_sequence:
        return [
            Problem(
                chain,
                "inserted",
                head_sequence + 1,
                f"rows {head_sequence + 1}-{last_sequence} were added outside the log "
                f"(the chain head ends at {head_sequence})",
            )
        ]
    if last_sequence < head_sequence:
        return [
            Problem(
                chain,
                "deleted",
                last_sequence + 1,
                f"rows {last_sequence + 1}-{head_sequence} at the end of the chain are missing",
            )
        ]
    if last is not None and head is not None and last.entry_hash != head.entry_hash:
        return [
            Problem(
                chain, "head", last_sequence, "the last row is not the one the chain head names"
            )
        ]
    return []
