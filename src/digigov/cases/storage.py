"""Attachment files: recognised by content, scanned, stored outside the web root."""

from __future__ import annotations

import hashlib
import socket
import struct
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from digigov.core import outbound

# The content types we accept, recognised by their first bytes, never by the name.
SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
CHUNK = 64 * 1024


def sniff(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


class ScanError(Exception):
    """The file is infected, or could not be scanned (either way it is refused)."""

    def __init__(self, infected: bool, detail: str) -> None:
        super().__init__(detail)
        self.infected = infected


class NoScanner:
    """The default: no scanning. Operators with ClamAV set DIGIGOV_VIRUS_SCANNER."""

    def scan(self, chunks: Iterable[bytes]) -> None:
        return None


@dataclass(frozen=True)
class ClamdScanner:
    """Streams the file to a ClamAV daemon with the INSTREAM command."""

    host: str
    port: int
    timeout: float = 30.0

    def scan(self, chunks: Iterable[bytes]) -> None:
        outbound.refuse_in_transaction(f"the virus scanner at {self.host}:{self.port}")
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as conn:
                conn.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    conn.sendall(struct.pack("!L", len(chunk)) + chunk)
                conn.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = conn.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as error:
            raise ScanError(False, f"virus scanner unreachable: {error}") from error
        answer = reply.rstrip(b"\0").decode(errors="replace")
        if answer.endswith("OK"):
            return
        if answer.endswith("FOUND"):
            raise ScanError(True, answer)
        raise ScanError(False, f"virus scanner answered {answer!r}")


def scanner() -> NoScanner | ClamdScanner:
    configured = settings.VIRUS_SCANNER
    if configured in ("", "none"):
        return NoScanner()
    parts = urlsplit(configured)
    if parts.scheme != "clamd" or not parts.hostname:
        raise ValueError(
            f"DIGIGOV_VIRUS_SCANNER must be none or clamd://host:port, not {configured!r}"
        )
    return ClamdScanner(parts.hostname, parts.port or 3310)


@dataclass(frozen=True)
class Stored:
    storage_name: str
    size: int
    sha256: str


def root() -> Path:
    return Path(settings.ATTACHMENT_ROOT)


def store(chunks: Iterable[bytes], *, organisation_id: int, content_type: str) -> Stored:
    """Write the file under the attachment root, named by a random id, never by the user."""
    name = f"{organisation_id}/{uuid.uuid4().hex}{EXTENSIONS[content_type]}"
    path = root() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with path.open("xb") as handle:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
    return Stored(storage_name=name, size=size, sha256=digest.hexdigest())


def open_stored(storage_name: str) -> Path:
    path = (root() / storage_name).resolve()
    if root().resolve() not in path.parents:
        raise ValueError("attachment outside the attachment root")
    return path


def remove(storage_name: str) -> None:
    open_stored(storage_name).unlink(missing_ok=True)
