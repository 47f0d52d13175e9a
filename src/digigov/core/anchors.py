"""Anchors: the heads of the hash-chained logs, kept outside the database at intervals.

A hash chain shows that rows were changed, moved or put in between; it cannot
show that its tail was cut, that a whole chain was deleted with its head, or
that someone with write access rebuilt a consistent chain from scratch. So the
head of every chain (its last sequence and hash) is written at intervals to
places the database does not hold (a checkpoint): an append-only file
(DIGIGOV_ANCHOR_DIR, for the operator to ship off the machine) and, where
configured, another member over the exchange, which keeps what it is sent.
Verification compares each chain with every checkpoint it was anchored in.

Where DIGIGOV_ANCHOR_TSA names a timestamping authority, each checkpoint also
carries its RFC 3161 timestamp (core.timestamps), so the times of the anchors are
vouched for from outside, and a checkpoint file rebuilt later is seen.

The logs are of two families, each registered by the module that owns it: the
audit log's chains (core.audit) and the gateways' message logs (exchange.log).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from cryptography import x509
from django.conf import settings

from digigov.core import clock, timestamps

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
FILE_NAME = "checkpoints.jsonl"


@dataclass(frozen=True)
class Head:
    log: str  # e.g. "audit:organisation:3", "exchange:SE-DEMO/MUN/2120009994/gw1"
    sequence: int
    hash: str


class Family(Protocol):
    """A family of hash-chained logs: its heads now, and what it holds at a place."""

    name: str

    def heads(self) -> list[Head]: ...

    def hash_at(self, log: str, sequence: int) -> str | None:
        """The hash of the entry at `sequence` (None: there is none); ARCHIVED when it left
        the database for a signed archive the family checks itself."""
        ...


ARCHIVED = "archived"
FAMILIES: dict[str, Family] = {}


def register(family: Family) -> None:
    FAMILIES[family.name] = family


@dataclass(frozen=True)
class Checkpoint:
    made_at: dt.datetime
    heads: tuple[Head, ...]
    where: str = ""  # which store it was read from
    timestamp: bytes | None = None  # an RFC 3161 token over `stamped()`, where a TSA is named

    def stamped(self) -> bytes:
        """What a timestamp vouches for: the checkpoint's time and heads, canonical JSON."""
        document = {
            "made_at": self.made_at.isoformat(),
            "heads": {head.log: [head.sequence, head.hash] for head in self.heads},
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()

    def document(self) -> dict[str, object]:
        found: dict[str, object] = json.loads(self.stamped())
        if self.timestamp is not None:
            found["timestamp"] = base64.b64encode(self.timestamp).decode()
        return found

    @classmethod
    def of(cls, document: dict[str, object], where: str) -> Checkpoint:
        heads = document.get("heads")
        if not isinstance(heads, dict):
            raise ValueError("a checkpoint has heads")
        timestamp = document.get("timestamp")
        return cls(
            dt.datetime.fromisoformat(str(document["made_at"])),
            tuple(Head(str(log), int(pair[0]), str(pair[1])) for log, pair in heads.items()),
            where,
            base64.b64decode(str(timestamp), validate=True) if timestamp else None,
        )


class Store(Protocol):
    name: str

    def keep(self, checkpoint: Checkpoint) -> None: ...

    def checkpoints(self) -> list[Checkpoint]: ...


class FileStore:
    """An append-only JSON Lines file; each line names the hash of the line before it, so
    a line changed or removed in the middle is seen (a cut end is not: ship the file off
    the machine, or anchor over the exchange as well)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self.name = str(self.path)

    def _lines(self) -> list[str]:
        try:
            return self.path.read_text().splitlines()
        except FileNotFoundError:
            return []

    def keep(self, checkpoint: Checkpoint) -> None:
        lines = self._lines()
        previous = hashlib.sha256(lines[-1].encode()).hexdigest() if lines else GENESIS
        line = json.dumps(
            {**checkpoint.document(), "previous": previous}, sort_keys=True, separators=(",", ":")
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())

    def checkpoints(self) -> list[Checkpoint]:
        found, previous = [], GENESIS
        for number, line in enumerate(self._lines(), start=1):
            document = json.loads(line)
            if document.get("previous") != previous:
                raise ValueError(f"{self.path} line {number} does not follow the line before it")
            previous = hashlib.sha256(line.encode()).hexdigest()
            found.append(Checkpoint.of(document, self.name))
        return found


# Stores besides the file, added by modules that provide one (the exchange's witness).
STORE_FACTORIES: list[Callable[[], Store | None]] = []


def stores() -> list[Store]:
    found: list[Store] = [FileStore(Path(settings.ANCHOR_DIR))]
    for factory in STORE_FACTORIES:
        store = factory()
        if store is not None:
            found.append(store)
    return found


def checkpoint() -> tuple[Checkpoint, list[str]]:
    """Anchor the head of every chain in every store, timestamped by the TSA where one is
    named; the checkpoint and each place that failed (why). Call with no transaction open:
    a store may be another member, and the TSA is outside."""
    heads = tuple(head for family in FAMILIES.values() for head in family.heads())
    made = Checkpoint(clock.now(), heads)
    failed = []
    if settings.ANCHOR_TSA:
        try:
            token = timestamps.stamp(settings.ANCHOR_TSA, made.stamped()).token
            made = Checkpoint(made.made_at, made.heads, timestamp=token)
        except timestamps.TimestampError as error:
            logger.warning("the checkpoint could not be timestamped: %s", error)
            failed.append(f"the TSA {settings.ANCHOR_TSA}: {error}")
    for store in stores():
        try:
            store.keep(made)
        except Exception as error:  # the others still keep it; the operator is told
            logger.warning("could not anchor the logs in %s: %s", store.name, error)
            failed.append(f"{store.name}: {error}")
    return made, failed


Kind = Literal["deleted", "rebuilt", "anchors"]


@dataclass(frozen=True)
class AnchorProblem:
    log: str
    sequence: int
    kind: Kind
    message: str


# How far a timestamp's time may be from the checkpoint's own.
TIMESTAMP_SKEW = dt.timedelta(minutes=10)


def _trusted_tsa() -> list[x509.Certificate] | None:
    if not settings.ANCHOR_TSA_CERTIFICATE:
        return None
    return x509.load_pem_x509_certificates(Path(settings.ANCHOR_TSA_CERTIFICATE).read_bytes())


def timestamp_problems(kept: list[Checkpoint]) -> list[AnchorProblem]:
    """Each timestamp must be the TSA's over its checkpoint, at about its time; once the
    checkpoints are timestamped, every later one must be (one rebuilt without is seen)."""
    problems, trusted, since = [], _trusted_tsa(), None
    if settings.ANCHOR_TSA and kept and all(made.timestamp is None for made in kept):
        problems.append(
            AnchorProblem(
                kept[-1].where, 0, "anchors", "no checkpoint is timestamped, though a TSA is named"
            )
        )
    for made in kept:
        when = made.made_at.isoformat(timespec="seconds")
        if made.timestamp is None:
            if since is not None:
                missing = (
                    f"the checkpoint of {when} has no timestamp, though those from {since} have"
                )
                problems.append(AnchorProblem(made.where, 0, "anchors", missing))
            continue
        since = since or when
        try:
            stamped = timestamps.check(made.timestamp, made.stamped(), trusted)
        except timestamps.TimestampError as error:
            problems.append(AnchorProblem(made.where, 0, "anchors", f"{when}: {error}"))
            continue
        if abs(stamped - made.made_at) > TIMESTAMP_SKEW:
            moved = f"the checkpoint says {when}, but the TSA says {stamped:%Y-%m-%dT%H:%M:%S}"
            problems.append(AnchorProblem(made.where, 0, "anchors", moved))
    return problems


def check(family_name: str) -> list[AnchorProblem]:
    """Every chain of the family against every checkpoint it was anchored in: a cut tail
    or a deleted chain is `deleted`, an entry whose hash is not the anchored one `rebuilt`,
    and a store that cannot be read `anchors`."""
    family = FAMILIES[family_name]
    prefix = f"{family_name}:"
    problems: list[AnchorProblem] = []
    reported: set[tuple[str, str]] = set()
    for store in stores():
        try:
            kept = store.checkpoints()
        except Exception as error:
            problems.append(AnchorProblem(store.name, 0, "anchors", f"cannot be read: {error}"))
            continue
        problems += timestamp_problems(kept)
        for made in kept:
            for head in made.heads:
                if not head.log.startswith(prefix) or head.sequence == 0:
                    continue
                found = family.hash_at(head.log, head.sequence)
                if found == ARCHIVED or found == head.hash:
                    continue
                when = made.made_at.isoformat(timespec="seconds")
                if found is None:
                    key = (head.log, "deleted")
                    message = (
                        f"entry #{head.sequence} was anchored at {when} ({made.where}) but is "
                        "gone: the chain was cut or deleted"
                    )
                    kind: Kind = "deleted"
                else:
                    key = (head.log, f"rebuilt{head.sequence}")
                    message = (
                        f"entry #{head.sequence} is not the one anchored at {when} "
                        f"({made.where}): the chain was rebuilt"
                    )
                    kind = "rebuilt"
                if key not in reported:
                    reported.add(key)
                    problems.append(AnchorProblem(head.log, head.sequence, kind, message))
    return problems
