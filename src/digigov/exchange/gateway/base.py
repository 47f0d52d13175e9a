"""What both sides of the gateway share: its errors, limits, keys and log records."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import unquote

from digigov.core import clock
from digigov.exchange import http, messages
from digigov.exchange.identifiers import ClientId, ServiceId
from digigov.exchange.log import MessageLog, Record

logger = logging.getLogger("digigov.exchange.gateway")
T = TypeVar("T")
METASERVICES = ("listMethods", "allowedMethods", "getOpenAPI")
# The gateway proves itself to the services it fronts with their token.
SERVICE_TOKEN_HEADER = messages.SERVICE_TOKEN_HEADER
REFRESH_SECONDS = 30.0
# Message ids kept for refusing replays (ten minutes at well over 1,000 a second).
MAX_REMEMBERED = 1_000_000
# A new signing key is used only once every gateway has had time to learn it
# from the configuration; until then the previous key signs (docs/adr/0007).
ROTATION_GRACE = dt.timedelta(seconds=2 * REFRESH_SECONDS)
TIMEOUT_SECONDS = 30.0


class GatewayError(Exception):
    """An X-Road error (http.error): `Client.*` is the caller's fault, the rest ours."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def error_response(error: GatewayError, request: http.Request) -> http.Response:
    return http.error(error.code, error.message, request.headers.get("accept", ""))


def now() -> dt.datetime:
    return clock.now()


@dataclass(frozen=True)
class Trail:
    """One message's two entries in the gateway's log: the request, then its response.
    Each keeps who called which service, for whom, why, and the signature."""

    log: MessageLog
    side: str  # client or server
    message_id: str
    client: ClientId
    service: ServiceId
    headers: dict[str, str]

    async def request_during(self, signature: str, body: bytes, work: Awaitable[T]) -> T:
        """Log the request while `work` runs; return its result once the entry is
        committed, so nothing is answered that is not logged."""
        logged = asyncio.ensure_future(self.log.append(self._record("request", signature, body)))
        try:
            return await work
        finally:
            await logged

    async def response(self, signature: str, body: bytes, status: int) -> None:
        await self.log.append(self._record("response", signature, body, status))

    def _record(
        self, direction: str, signature: str, body: bytes, status: int | None = None
    ) -> Record:
        return Record(
            self.side,
            direction,
            self.message_id,
            str(self.client),
            str(self.service),
            signature,
            body,
            self.headers.get("x-road-userid", ""),
            unquote(self.headers.get("x-road-issue", "")),
            status,
        )


@dataclass(frozen=True)
class Keys:
    signer: messages.Signer
    tls_certificate_pem: str
    tls_key_pem: str
