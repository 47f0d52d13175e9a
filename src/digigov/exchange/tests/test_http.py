"""The gateway's HTTP/1.1 server (exchange.http) on raw sockets: deadlines, smuggling, sizes,
paths, and whatever bytes a peer may send (fuzzed)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digigov.exchange import http

Seen = list[http.Request]


async def _serving(test: Callable[[int, Seen], Awaitable[Any]]) -> Any:
    seen: Seen = []

    async def echo(request: http.Request) -> http.Response:
        seen.append(request)
        return http.Response(200, request.target.encode(), {"content-type": "text/plain"})

    server = await http.start(echo, "127.0.0.1", 0)
    assert server.server is not None
    port = server.server.sockets[0].getsockname()[1]
    try:
        return await test(port, seen)
    finally:
        await server.close()


def serving(test: Callable[[int, Seen], Awaitable[Any]]) -> Any:
    return asyncio.run(_serving(test))


async def exchange(port: int, raw: bytes, wait: float = 5.0) -> bytes:
    """Send `raw` and end the sending side; read until the server closes (or `wait`
    passes): what it answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    writer.write_eof()
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), wait)
    finally:
        writer.close()


async def closed_within(port: int, raw: bytes, seconds: float) -> bool:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    try:
        await asyncio.wait_for(reader.read(), seconds)
        return True
    except TimeoutError:
        return False
    finally:
        writer.close()


GET = b"GET /r1/SE/GOV/1/sub/svc/x HTTP/1.1\r\nHost: gw\r\n\r\n"


@pytest.fixture
def short_deadlines(monkeypatch):
    monkeypatch.setattr(http, "FIRST_HEAD_SECONDS", 0.3)
    monkeypatch.setattr(http, "IDLE_SECONDS", 0.3)
    monkeypatch.setattr(http, "BODY_SECONDS", 0.3)


def test_a_peer_that_sends_nothing_or_half_a_head_or_half_a_body_is_dropped(short_deadlines):
    async def test(port: int, seen: Seen) -> None:
        assert await closed_within(port, b"", 3)
        assert await closed_within(port, b"GET /r1/x HTTP/1.1\r\nHost: g", 3)
        assert await closed_within(
            port, b"POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: 9\r\n\r\nab", 3
        )
        assert await closed_within(port, GET, 3)  # answered, then kept idle: closed
        assert len(seen) == 1

    serving(test)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (
            b"POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"0\r\n\r\n",
            b"both Content-Length and Transfer-Encoding",
        ),
        (
            b"GET /x?" + b"q" * 60_000 + b" HTTP/1.1\r\nHost: g\r\n\r\n",
            b"16384 bytes",
        ),
        (
            b"GET /x HTTP/1.1\r\nHost: g\r\n"
            + b"X-Big: "
            + b"v" * 15_000
            + b"\r\n"
            + b"X-Big2: "
            + b"v" * 2_000
            + b"\r\n\r\n",
            b"larger than",
        ),
        (
            b"GET /x HTTP/1.1\r\nHost: g\r\nX-Road-UserId: SE\xff\xfe19900315\r\n\r\n",
            b"visible ASCII",
        ),
        (b"GET /r1/SE/GOV/1/sub/svc/../other HTTP/1.1\r\nHost: g\r\n\r\n", b"dot segments"),
        (b"GET /r1/SE/GOV/1/sub/svc/%2e%2E/other HTTP/1.1\r\nHost: g\r\n\r\n", b"dot segments"),
        (b"GET /r1/SE/GOV/1/sub/svc%2Fother HTTP/1.1\r\nHost: g\r\n\r\n", b"encoded slashes"),
        (b"GET http://elsewhere/x HTTP/1.1\r\nHost: g\r\n\r\n", b"must be a path"),
    ],
)
def test_requests_no_handler_may_see_are_refused_and_the_connection_closed(raw, why):
    async def test(port: int, seen: Seen) -> bytes:
        return await exchange(port, raw + GET)  # a request behind it is never read

    async def run(port: int, seen: Seen) -> None:
        answer = await test(port, seen)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
        assert b"Client.BadRequest" in answer and why in answer
        assert answer.count(b"HTTP/1.1 ") == 1
        assert seen == []

    serving(run)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.builds(
            lambda method, target, headers, body: (
                method + b" " + target + b" HTTP/1.1\r\n" + headers + b"\r\n" + body
            ),
            st.sampled_from([b"GET", b"POST", b"PUT", b"G\x00T", b""]),
            st.binary(min_size=0, max_size=300),
            st.lists(
                st.tuples(st.binary(max_size=40), st.binary(max_size=200)).map(
                    lambda pair: pair[0] + b": " + pair[1] + b"\r\n"
                ),
                max_size=8,
            ).map(b"".join),
            st.binary(max_size=300),
        ),
    )
)
def test_whatever_a_peer_sends_the_server_answers_or_closes_and_keeps_serving(raw):
    async def run(port: int, seen: Seen) -> None:
        answer = await exchange(port, raw, wait=5)
        assert answer == b"" or answer.startswith(b"HTTP/1.1 ")
        assert b"HTTP/1.1 500" not in answer
        after = await exchange(port, GET.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        assert after.startswith(b"HTTP/1.1 200")

    serving(run)
