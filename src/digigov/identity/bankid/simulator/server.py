"""The BankID simulator's listener: BankID's relying-party API v6 over mutual TLS.

A relying party must present a client certificate from the simulator's test CA (as
BankID's own service admits only certificates it issued); its orders are its own,
known by the certificate's fingerprint. Each connection is served on a thread of its
own, kept open between calls, with its own database connection.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import ssl
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.conf import settings
from django.db import connections

from digigov.identity.bankid.certificates import simulator_files
from digigov.identity.bankid.client import PATH
from digigov.identity.bankid.simulator import actions, rules
from digigov.identity.bankid.simulator.rules import ApiError
from digigov.identity.models import BankIdSimulatorFault

logger = logging.getLogger(__name__)
BODY_LIMIT = 300_000
HANDSHAKE_SECONDS = 10
IDLE_SECONDS = 60
OPERATIONS = ("auth", "sign", "collect", "cancel")


def tls_context() -> ssl.SSLContext:
    files = simulator_files()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.server_certificate, files.server_key)
    context.load_verify_locations(files.ca_certificate)
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def answer(operation: str, body: object, relying_party: str) -> dict[str, Any]:
    """One call of the API: the 200 answer, or ApiError."""
    fault = BankIdSimulatorFault.objects.values_list("kind", flat=True).first()
    if fault == BankIdSimulatorFault.Kind.MAINTENANCE:
        raise ApiError("maintenance", "Service unavailable", 503)
    if fault == BankIdSimulatorFault.Kind.TIMEOUT:
        time.sleep(settings.BANKID_TIMEOUT + 2)
        raise ApiError("requestTimeout", "Request timed out", 408)
    if operation in ("auth", "sign"):
        return actions.start(rules.order_request(operation, body), relying_party)
    if operation == "collect":
        return actions.collect(rules.order_ref(body), relying_party)
    actions.cancel(rules.order_ref(body), relying_party)
    return {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # connections stay open between calls
    # Head and body leave in one write (the handler flushes after each answer): written
    # apart, Nagle's algorithm held the body for the client's delayed ACK, 40 ms a call.
    wbufsize = 64 * 1024
    server_version = "DigigovBankIdSimulator/1"
    timeout = IDLE_SECONDS

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def _send(self, status: int, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self, error: ApiError) -> None:
        self._send(error.status, error.document())

    def do_GET(self) -> None:
        self._refuse(ApiError("methodNotAllowed", "Only POST", 405))

    def do_POST(self) -> None:
        operation = self.path.removeprefix(f"{PATH}/")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > BODY_LIMIT:
            self.close_connection = True
            self._refuse(rules.invalid("Invalid Content-Length"))
            return
        raw = self.rfile.read(length)
        if not self.path.startswith(f"{PATH}/") or operation not in OPERATIONS:
            self._refuse(ApiError("notFound", "Not found", 404))
            return
        if self.headers.get_content_type() != "application/json":
            self._refuse(ApiError("unsupportedMediaType", "Use application/json", 415))
            return
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            self._refuse(rules.invalid("Invalid JSON"))
            return
        try:
            self._send(200, answer(operation, body, self.server.relying_party(self.connection)))  # type: ignore[attr-defined]
        except ApiError as error:
            self._refuse(error)
        except Exception:
            logger.exception("the BankID simulator failed on %s", operation)
            self._refuse(ApiError("internalError", "Internal error", 500))

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            connections.close_all()  # this thread's own database connection


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, Handler)
        self.context = tls_context()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """The TLS handshake on the connection's own thread, not the listener's."""
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request.settimeout(HANDSHAKE_SECONDS)
        try:
            wrapped = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            logger.info("BankID simulator: TLS refused from %s: %s", client_address, error)
            return
        wrapped.settimeout(IDLE_SECONDS)
        try:
            super().finish_request(wrapped, client_address)
        finally:
            wrapped.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer (it timed out) is no error of ours."""
        logger.debug("BankID simulator: connection from %s ended early", client_address)

    @staticmethod
    def relying_party(connection: ssl.SSLSocket) -> str:
        certificate = connection.getpeercert(binary_form=True) or b""
        return hashlib.sha256(certificate).hexdigest()


def address() -> tuple[str, int]:
    host, _sep, port = settings.BANKID_SIMULATOR_ADDRESS.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)
