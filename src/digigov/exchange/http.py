"""A small HTTP/1.1 server on asyncio streams with h11, for the gateway's two sides.

Keep-alive, bodies up to a limit, and nothing else: the gateway decides
everything about the requests themselves. What no request may be is refused
here, before any of it is read into the gateway: a head over HEAD_LIMIT, header
values that are not visible ASCII, both Content-Length and Transfer-Encoding
(RFC 9112 6.1: a smuggling attempt; the connection is closed), a path with dot
segments or encoded slashes (what is checked for access must be what is
forwarded), and a peer that sends too slowly or not at all (every wait has a
deadline).
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.etree import ElementTree

import h11

logger = logging.getLogger(__name__)

MAX_BODY = 10 * 1024 * 1024
READ_CHUNK = 64 * 1024
HEAD_LIMIT = 16 * 1024  # the request line and headers together
# Deadlines, in seconds: a new connection's request head; the next request's head on a
# kept-alive connection (waiting included); a body, once its head has come.
FIRST_HEAD_SECONDS = 10.0
IDLE_SECONDS = 60.0
BODY_SECONDS = 60.0


@dataclass
class Request:
    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]  # lower-case names (_headers)
    body: bytes
    peer_certificate: bytes | None = None  # DER, when the peer gave one over TLS
    tls: bool = False  # came over TLS


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Awaitable[Response]]


JSON = "application/json; charset=utf-8"
XML = "text/xml; charset=utf-8"


def json_response(status: int, document: object, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status,
        json.dumps(document, ensure_ascii=False).encode(),
        {"content-type": JSON, **(headers or {})},
    )


def wants_xml(accept: str) -> bool:
    """Does the client ask for XML before JSON (X-Road answers either)?"""
    ranked = [part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()]
    for kind in ranked:
        if kind in {"application/xml", "text/xml"}:
            return True
        if kind in {"application/json", "*/*", "application/*"}:
            return False
    return False


def error(code: str, message: str, accept: str = "") -> Response:
    """An X-Road error (PR-REST 4.6): 400 for the client's fault (`Client.*`), 500 for
    a gateway's or the network's; `X-Road-Error` names it; the body in JSON, or in
    XML when asked, with a `detail` id to find it in the logs by."""
    status = 400 if code.startswith("Client.") else 500
    detail = str(uuid.uuid4())
    logger.warning("X-Road error %s (%s): %s", code, detail, message)
    headers = {"x-road-error": code}
    if wants_xml(accept):
        root = ElementTree.Element("error")
        for name, value in (("type", code), ("message", message), ("detail", detail)):
            ElementTree.SubElement(root, name).text = value
        body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
        return Response(status, body, {"content-type": XML, **headers})
    return json_response(status, {"type": code, "message": message, "detail": detail}, headers)


def headers_of(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Lower-case names. A repeated header's values are joined with ", " (RFC 9110 5.3),
    except X-Road's own, of which the last wins (PR-REST 4.3)."""
    headers: dict[str, str] = {}
    for name_bytes, value_bytes in raw:
        name, value = name_bytes.decode("latin-1").lower(), value_bytes.decode("latin-1")
        if name in headers and not name.startswith("x-road-"):
            headers[name] = f"{headers[name]}, {value}"
        else:
            headers[name] = value
    return headers


async def _read_event(
    connection: h11.Connection, reader: asyncio.StreamReader, deadline: float
) -> object:
    loop = asyncio.get_running_loop()
    while True:
        event = connection.next_event()
        if event is not h11.NEED_DATA:
            return event
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError
        data = await asyncio.wait_for(reader.read(READ_CHUNK), remaining)
        connection.receive_data(data)


def refusal(event: h11.Request) -> str | None:
    """Why no handler may see this request (None: it may)."""
    size = len(event.target) + sum(len(name) + len(value) + 4 for name, value in event.headers)
    if size > HEAD_LIMIT:
        return f"the request line and headers are larger than {HEAD_LIMIT} bytes"
    names = {name.lower() for name, _value in event.headers}
    if b"content-length" in names and b"transfer-encoding" in names:
        return "a request may not have both Content-Length and Transfer-Encoding"
    for name, value in event.headers:
        if any(not (0x20 <= byte < 0x7F or byte == 0x09) for byte in value):
            return f"the header {name.decode('latin-1')} is not visible ASCII"
    target = event.target.decode("latin-1")
    path = target.split("?", 1)[0]
    if not path.startswith("/"):
        return "the request target must be a path"
    lowered = path.lower()
    if "%2f" in lowered or "%5c" in lowered or "\\" in path:
        return "the path may not hold encoded slashes"
    if any(unquote(segment) in (".", "..") for segment in path.split("/")):
        return "the path may not hold dot segments"
    return None


async def _send(
    writer: asyncio.StreamWriter,
    connection: h11.Connection,
    response: Response,
    *,
    close: bool = False,
) -> None:
    out = [(name, value) for name, value in response.headers.items()]
    out.append(("content-length", str(len(response.body))))
    if close:
        out.append(("connection", "close"))
    writer.write(connection.send(h11.Response(status_code=response.status, headers=out)))
    writer.write(connection.send(h11.Data(data=response.body)) if response.body else b"")
    writer.write(connection.send(h11.EndOfMessage()))
    await writer.drain()


async def serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler
) -> None:
    connection = h11.Connection(h11.SERVER, max_incomplete_event_size=HEAD_LIMIT)
    ssl_object = writer.get_extra_info("ssl_object")
    peer = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    loop = asyncio.get_running_loop()
    wait = FIRST_HEAD_SECONDS
    try:
        while True:
            event = await _read_event(connection, reader, loop.time() + wait)
            wait = IDLE_SECONDS
            if isinstance(event, h11.ConnectionClosed) or event is None:
                return
            if not isinstance(event, h11.Request):
                return
            headers = headers_of(event.headers)
            refused = refusal(event)
            if refused is not None:
                bad = error("Client.BadRequest", refused, headers.get("accept", ""))
                await _send(writer, connection, bad, close=True)
                return
            body = bytearray()
            too_large = False
            body_deadline = loop.time() + BODY_SECONDS
            while True:
                part = await _read_event(connection, reader, body_deadline)
                if isinstance(part, h11.Data):
                    body += part.data
                    if len(body) > MAX_BODY:
                        too_large = True
                        break
                elif isinstance(part, h11.EndOfMessage):
                    break
                else:
                    return
            if too_large:
                response = error(
                    "Client.BadRequest",
                    f"the body is larger than {MAX_BODY} bytes",
                    headers.get("accept", ""),
                )
            else:
                request = Request(
                    event.method.decode("ascii"),
                    event.target.decode("latin-1"),
                    headers,
                    bytes(body),
                    peer,
                    ssl_object is not None,
                )
                try:
                    response = await handler(request)
                except Exception:  # a fault of ours: answer it, keep serving
                    logger.exception("the gateway failed on %s %s", request.method, request.target)
                    response = error(
                        "Server.InternalError", "the gateway failed", headers.get("accept", "")
                    )
            await _send(writer, connection, response, close=too_large)
            if connection.our_state is h11.MUST_CLOSE or too_large:
                return
            connection.start_next_cycle()
    except h11.RemoteProtocolError as problem:
        # a head over the limit, or not HTTP: say so if a response can still be sent
        if connection.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            try:
                bad = error(
                    "Client.BadRequest",
                    f"not a request we can read ({problem}); the request line and headers "
                    f"may be {HEAD_LIMIT} bytes",
                )
                await _send(writer, connection, bad, close=True)
            except (h11.LocalProtocolError, ConnectionError, ssl.SSLError):
                pass
    except (TimeoutError, ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


class Server:
    """A listening socket and the connections it is serving, so both can be closed."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.server: asyncio.Server | None = None
        self.connections: set[asyncio.Task[None]] = set()

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.connections.add(task)
        try:
            await serve_connection(reader, writer, self.handler)
        except asyncio.CancelledError:
            # closing: end quietly (on Python 3.11 a cancelled connection task
            # is otherwise reported as an error by asyncio's stream callback)
            writer.close()
        finally:
            self.connections.discard(task)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for task in list(self.connections):
            task.cancel()
        if self.connections:
            await asyncio.gather(*self.connections, return_exceptions=True)
        if self.server is not None:
            await self.server.wait_closed()


async def start(
    handler: Handler, host: str, port: int, ssl_context: ssl.SSLContext | None = None
) -> Server:
    server = Server(handler)
    server.server = await asyncio.start_server(
        server._connected, host, port, ssl=ssl_context, backlog=1024
    )
    return server
