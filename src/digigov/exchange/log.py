"""The message log: every message a gateway sends or receives, in a hash chain.

A gateway is the only writer of its chain. Entries are written in batches
(group commit): `MessageLog.append` returns once the entry's batch is
committed, so a gateway answers only what it has logged, while many
concurrent messages share one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import close_old_connections, connection, transaction

from digigov.core import anchors
from digigov.exchange import ca, messages
from digigov.exchange.models import (
    GatewayKey,
    KnownSigningCertificate,
    LogArchive,
    MessageLogEntry,
)

GENESIS = "0" * 64
BATCH = 256
# Columns the hash covers, in order.
HASHED = (
    "gateway",
    "sequence",
    "logged_at",
    "side",
    "direction",
    "message_id",
    "client",
    "service",
    "user_id",
    "issue",
    "status",
    "signature",
    "body_sha256",
    "previous_hash",
)


def entry_hash(entry: MessageLogEntry) -> str:
    values: dict[str, Any] = {name: getattr(entry, name) for name in HASHED}
    body = bytes(entry.body) if entry.body is not None else None
    return _hash(values, entry.logged_at, body)


def _hash(values: dict[str, Any], logged_at: dt.datetime, body: bytes | None) -> str:
    """The entry's hash over the HASHED columns (as `values` holds them) and the body's hash."""
    values["logged_at"] = logged_at.astimezone(dt.UTC).isoformat()
    values["body"] = hashlib.sha256(body).hexdigest() if body is not None else None
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# The table's columns as a write lists them, the HASHED ones first.
COLUMNS = (*HASHED, "body", "entry_hash")


@dataclass
class Record:
    """What a gateway logs of one message."""

    side: str
    direction: str
    message_id: str
    client: str
    service: str
    signature: str
    body: bytes
    user_id: str = ""
    issue: str = ""
    status: int | None = None
    logged_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


class MessageLog:
    """One gateway's chain, appended to from its event loop, written from a thread."""

    def __init__(self, gateway: str, executor: Executor | None = None) -> None:
        self.gateway = gateway
        self.executor = executor  # where the writes run (the gateway's database thread)
        self.keep_bodies = bool(getattr(settings, "EXCHANGE_LOG_BODIES", False))
        self._queue: list[tuple[Record, asyncio.Future[None]]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = threading.Lock()
        last = (
            MessageLogEntry.objects.filter(gateway=gateway)
            .order_by("-sequence")
            .values_list("sequence", "entry_hash")
            .first()
        )
        self.sequence, self.head = last if last else (0, GENESIS)

    async def append(self, record: Record) -> None:
        """Returns once the record is committed to the chain."""
        if self._task is None:
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._writer())
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((record, done))
        assert self._wake is not None
        self._wake.set()
        await done

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _writer(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch, self._queue = self._queue[:BATCH], self._queue[BATCH:]
                try:
                    await loop.run_in_executor(
                        self.executor, self._write_in_thread, [r for r, _ in batch]
                    )
                except Exception as error:  # every waiter learns the batch failed
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                    continue
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    def _write_in_thread(self, records: list[Record]) -> None:
        close_old_connections()  # a pool thread's connection may have gone stale
        self.write(records)

    def write(self, records: Iterable[Record]) -> int:
        """Chain and store records at once (also usable without a loop); the last sequence.

        On PostgreSQL the rows go in one COPY, a single statement that commits
        whole or not at all; elsewhere in one transaction.
        """
        with self._lock:
            sequence, head = self.sequence, self.head
            rows = []
            for record in records:
                sequence += 1
                body = record.body if self.keep_bodies else None
                values: dict[str, Any] = {
                    "gateway": self.gateway,
                    "sequence": sequence,
                    "logged_at": record.logged_at,
                    "side": record.side,
                    "direction": record.direction,
                    "message_id": record.message_id[:100],
                    "client": record.client[:300],
                    "service": record.service[:300],
                    "user_id": record.user_id[:100],
                    "issue": record.issue[:300],
                    "status": record.status,
                    "signature": record.signature,
                    "body_sha256": hashlib.sha256(record.body).hexdigest(),
                    "previous_hash": head,
                }
                row = tuple(values[name] for name in HASHED)
                head = _hash(values, record.logged_at, body)
                rows.append((*row, body, head))
            _insert(rows)
            self.sequence, self.head = sequence, head
            return sequence


def _insert(rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    table = MessageLogEntry._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
            with cursor.cursor.copy(copy) as rows_in:
                for row in rows:
                    rows_in.write_row(row)
        return
    with transaction.atomic():
        MessageLogEntry.objects.bulk_create(
            MessageLogEntry(**dict(zip(COLUMNS, row, strict=True))) for row in rows
        )


@dataclass(frozen=True)
class LogProblem:
    gateway: str
    sequence: int
    what: str

    def __str__(self) -> str:
        return f"{self.gateway} #{self.sequence}: {self.what}"


def _signing_keys() -> dict[tuple[str, str], ec.EllipticCurvePublicKey]:
    """Every member signing certificate this installation has seen in a configuration, and
    its own gateways' (their certificates as installed), by fingerprint recomputed here."""
    certificates = [
        (known.member_id, known.certificate_pem) for known in KnownSigningCertificate.objects.all()
    ] + [
        (own.member_id, own.certificate_pem)
        for own in GatewayKey.objects.filter(purpose="sign").exclude(certificate_pem="")
    ]
    keys = {}
    for member_id, pem in certificates:
        certificate = x509.load_pem_x509_certificate(pem.encode())
        public = certificate.public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            keys[(member_id, ca.fingerprint(certificate))] = public
    return keys


def _member_of(identifier: str) -> str:
    """The member (instance/class/code) a client or service id begins with."""
    return "/".join(identifier.split("/")[:3])


def signature_problem(
    entry: MessageLogEntry, keys: dict[tuple[str, str], ec.EllipticCurvePublicKey]
) -> str | None:
    """Why the entry's signature does not vouch for it (None: it does). A request is
    signed by the client's member and a response by the service's; the signed summary
    must name what the entry records."""
    member = _member_of(entry.client if entry.direction == "request" else entry.service)
    try:
        _signer, summary = messages.verify_with(entry.signature, keys, member_id=member)
    except messages.MessageError as error:
        return f"its signature does not verify: {error}"
    expected: dict[str, Any] = {"kind": entry.direction, "body": entry.body_sha256}
    if entry.direction == "request":
        expected.update(id=entry.message_id, client=entry.client, service=entry.service)
    else:
        expected["status"] = entry.status
    wrong = sorted(name for name, value in expected.items() if summary.get(name) != value)
    return f"its signature is for another {', '.join(wrong)}" if wrong else None


def verify(gateway: str | None = None) -> tuple[int, list[LogProblem]]:
    """Recompute every chain (or one): how many entries were checked, and what is wrong:
    a broken chain, an entry whose signature does not vouch for it, and what the chains'
    anchors (core.anchors) show was cut, deleted or rebuilt.

    A chain whose beginning was archived goes on from the last archive's hash.
    """
    keys = _signing_keys()
    gateways = (
        [gateway]
        if gateway
        else sorted(
            set(MessageLogEntry.objects.values_list("gateway", flat=True).distinct())
            | set(LogArchive.objects.values_list("gateway", flat=True).distinct())
        )
    )
    checked, problems = 0, []
    for name in gateways:
        head, expected = GENESIS, 1
        for archive_row in LogArchive.objects.filter(gateway=name).order_by("first_sequence"):
            if archive_row.first_sequence != expected or archive_row.first_previous_hash != head:
                problems.append(
                    LogProblem(
                        name, archive_row.first_sequence, "the archives do not follow each other"
                    )
                )
            problems += [
                LogProblem(name, archive_row.first_sequence, why)
                for why in _archive_problems(archive_row, keys)
            ]
            head, expected = archive_row.last_hash, archive_row.last_sequence + 1
        for entry in MessageLogEntry.objects.filter(gateway=name).order_by("sequence").iterator():
            checked += 1
            if entry.sequence != expected:
                problems.append(
                    LogProblem(name, entry.sequence, f"expected #{expected}: entries are missing")
                )
            if entry.previous_hash != head:
                problems.append(
                    LogProblem(name, entry.sequence, "does not follow the entry before it")
                )
            if entry_hash(entry) != entry.entry_hash:
                problems.append(
                    LogProblem(name, entry.sequence, "was changed after it was written")
                )
            elif (why := signature_problem(entry, keys)) is not None:
                problems.append(LogProblem(name, entry.sequence, why))
            head, expected = entry.entry_hash, entry.sequence + 1
    for found in anchors.check(GatewayLogs.name):
        name = found.log.removeprefix(f"{GatewayLogs.name}:")
        if gateway is None or name == gateway:
            problems.append(LogProblem(name, found.sequence, found.message))
    return checked, problems


def _archive_problems(
    row: LogArchive, keys: dict[tuple[str, str], ec.EllipticCurvePublicKey]
) -> list[str]:
    """An archive stands in for the entries it took out of the database only if its member
    signed it as recorded and its file is there, whole: a row made up to cover entries
    deleted (with the right last hash) has neither."""
    member = _member_of(row.gateway)
    try:
        _signer, summary = messages.verify_with(row.signature, keys, member_id=member)
    except messages.MessageError as error:
        return [f"the archive's signature does not verify: {error}"]
    recorded = {
        "gateway": row.gateway,
        "first_sequence": row.first_sequence,
        "last_sequence": row.last_sequence,
        "first_previous_hash": row.first_previous_hash,
        "last_hash": row.last_hash,
        "sha256": row.sha256,
    }
    if any(summary.get(name) != value for name, value in recorded.items()):
        return ["the archive is not the one its member signed"]
    path = Path(row.file_name)
    if not path.exists():
        return [f"the archive file {path} is missing: keep it where it was written"]
    return verify_archive(path)


class GatewayLogs:
    """The gateways' message logs, as anchors see them."""

    name = "exchange"

    def heads(self) -> list[anchors.Head]:
        names = set(MessageLogEntry.objects.values_list("gateway", flat=True).distinct()) | set(
            LogArchive.objects.values_list("gateway", flat=True).distinct()
        )
        found = []
        for name in sorted(names):
            last = (
                MessageLogEntry.objects.filter(gateway=name)
                .order_by("-sequence")
                .values_list("sequence", "entry_hash")
                .first()
            ) or (
                LogArchive.objects.filter(gateway=name)
                .order_by("-last_sequence")
                .values_list("last_sequence", "last_hash")
                .first()
            )
            if last is not None:
                found.append(anchors.Head(f"{self.name}:{name}", last[0], last[1]))
        return found

    def hash_at(self, log: str, sequence: int) -> str | None:
        name = log.removeprefix(f"{self.name}:")
        found: str | None = (
            MessageLogEntry.objects.filter(gateway=name, sequence=sequence)
            .values_list("entry_hash", flat=True)
            .first()
        )
        if found is not None:
            return found
        archived = LogArchive.objects.filter(
            gateway=name, first_sequence__lte=sequence, last_sequence__gte=sequence
        ).first()
        if archived is None:
            return None
        return archived.last_hash if sequence == archived.last_sequence else anchors.ARCHIVED


def _entry_json(entry: MessageLogEntry) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(entry, name) for name in HASHED}
    values["logged_at"] = entry.logged_at.astimezone(dt.UTC).isoformat()
    values["entry_hash"] = entry.entry_hash
    values["body"] = bytes(entry.body).hex() if entry.body is not None else None
    return values


def archive(
    gateway: str, before: dt.datetime, folder: Path, sign: Callable[[dict[str, Any]], str]
) -> LogArchive | None:
    """Move the gateway's entries logged before `before` to a signed JSON Lines file."""
    entries = list(
        MessageLogEntry.objects.filter(gateway=gateway, logged_at__lt=before).order_by("sequence")
    )
    if not entries:
        return None
    first, last = entries[0], entries[-1]
    # Only a run from the start of what is left may go: the chain must stay whole.
    kept = MessageLogEntry.objects.filter(gateway=gateway, sequence__lt=last.sequence).exclude(
        pk__in=[e.pk for e in entries]
    )
    if kept.exists():
        raise ValueError("entries in between were logged later: archive an earlier time")
    folder.mkdir(parents=True, exist_ok=True)
    name = folder / f"{gateway.replace('/', '_')}-{first.sequence:012d}-{last.sequence:012d}.jsonl"
    lines = [json.dumps(_entry_json(e), sort_keys=True, separators=(",", ":")) for e in entries]
    content = ("\n".join(lines) + "\n").encode()
    digest = hashlib.sha256(content).hexdigest()
    summary = {
        "gateway": gateway,
        "first_sequence": first.sequence,
        "last_sequence": last.sequence,
        "first_previous_hash": first.previous_hash,
        "last_hash": last.entry_hash,
        "sha256": digest,
    }
    signature = sign(summary)
    name.write_bytes(content)
    name.with_suffix(".jws").write_text(signature)
    with transaction.atomic():
        made = LogArchive.objects.create(
            gateway=gateway,
            first_sequence=first.sequence,
            last_sequence=last.sequence,
            first_previous_hash=first.previous_hash,
            last_hash=last.entry_hash,
            entries=len(entries),
            sha256=digest,
            signature=signature,
            file_name=str(name),
            created_at=dt.datetime.now(dt.UTC),
        )
        MessageLogEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
    return made


def verify_archive(path: Path) -> list[str]:
    """Check an archive file against its row: its hash, and the chain inside it."""
    content = path.read_bytes()
    row = LogArchive.objects.filter(sha256=hashlib.sha256(content).hexdigest()).first()
    if row is None:
        return [f"{path}: no archive with this content is recorded (changed, or not ours)"]
    problems = []
    head = row.first_previous_hash
    for number, line in enumerate(content.decode().splitlines(), start=row.first_sequence):
        values = json.loads(line)
        entry = MessageLogEntry(
            **{k: v for k, v in values.items() if k not in ("body", "logged_at", "entry_hash")},
            logged_at=dt.datetime.fromisoformat(values["logged_at"]),
            body=bytes.fromhex(values["body"]) if values["body"] is not None else None,
        )
        if (
            entry.sequence != number
            or entry.previous_hash != head
            or entry_hash(entry) != values["entry_hash"]
        ):
            problems.append(f"{path}: entry #{number} does not verify")
        head = values["entry_hash"]
    if head != row.last_hash:
        problems.append(f"{path}: does not end where the log goes on")
    return problems
