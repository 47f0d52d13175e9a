"""Kept-alive HTTP/1.1 connections: to other gateways over TLS, and to the services
a gateway fronts."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable

import h11

from digigov.exchange import http

# What a kept-alive connection that went stale, or a peer that failed, raises.
FAILURES = (OSError, ConnectionError, h11.ProtocolError, ssl.SSLError, TimeoutError)


class Connection:
    """One kept-alive TLS connection to a provider's gateway, checked before any byte is sent."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(h11.CLIENT)

    async def exchange(
        self, request: h11.Request, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        self.writer.write(self.h11.send(request))
        if body:
            self.writer.write(self.h11.send(h11.Data(data=body)))
        self.writer.write(self.h11.send(h11.EndOfMessage()))
        await self.writer.drain()
        response: h11.Response | None = None
        chunks = bytearray()
        while True:
            event = self.h11.next_event()
            if event is h11.NEED_DATA:
                data = await self.reader.read(64 * 1024)
                self.h11.receive_data(data)
                continue
            if isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                chunks += event.data
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("the provider's gateway closed the connection")
        assert response is not None
        # repeated headers joined as a request's are (exchange.http.headers_of)
        return response.status_code, http.headers_of(response.headers), bytes(chunks)

    def reusable(self) -> bool:
        if self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()
            return True
        return False

    def close(self) -> None:
        self.writer.close()


class Pool:
    """Idle connections per provider gateway address."""

    def __init__(self) -> None:
        self.idle: dict[str, list[Connection]] = {}

    def take(self, address: str) -> Connection | None:
        idle = self.idle.get(address)
        while idle:
            connection = idle.pop()
            if not connection.writer.is_closing() and not connection.reader.at_eof():
                return connection
            connection.close()
        return None

    def give(self, address: str, connection: Connection) -> None:
        if connection.reusable():
            self.idle.setdefault(address, []).append(connection)
        else:
            connection.close()

    def clear(self) -> None:
        for idle in self.idle.values():
            for connection in idle:
                connection.close()
        self.idle.clear()


async def exchange_kept_alive(
    pool: Pool,
    address: str,
    connect: Callable[[], Awaitable[Connection]],
    request: h11.Request,
    body: bytes,
    timeout: float,
) -> tuple[int, dict[str, str], bytes]:
    """Send on an idle connection to `address`, or a new one from `connect`. A kept
    connection may have gone stale while idle, so its failure earns one more try on
    a fresh connection; a fresh connection's failure is raised."""
    for attempt in range(2):
        connection = pool.take(address)
        fresh = connection is None
        if connection is None:
            connection = await connect()
        try:
            answer = await asyncio.wait_for(connection.exchange(request, body), timeout)
        except FAILURES:
            connection.close()
            if fresh or attempt:
                raise
            continue
        pool.give(address, connection)
        return answer
    raise ConnectionError("no answer")
