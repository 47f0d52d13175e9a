"""BankID's relying-party API v6: auth, sign, collect and cancel, over mutual TLS.

One connection pool per process and endpoint, kept open: a sign-in collects every two
seconds, and a TLS handshake for each would cost more than the call. The API is the
same whether it is BankID's own service or the installation's simulator; only the
address, the relying party's certificate and the CA that vouches for the server differ
(`endpoint()`).
"""

from __future__ import annotations

import base64
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from digigov.core import outbound

PATH = "/rp/v6.0"


class BankIdError(Exception):
    """The API refused a call (`error_code` as BankID names it: invalidParameters,
    alreadyInProgress, notFound, maintenance, ...) or could not be reached
    (`unavailable`)."""

    def __init__(self, error_code: str, details: str = "", status: int = 0) -> None:
        super().__init__(f"{error_code}: {details}" if details else error_code)
        self.error_code = error_code
        self.details = details
        self.status = status


@dataclass(frozen=True)
class Endpoint:
    """Where the API is and how to reach it: the base URL (ending in /rp/v6.0), the relying
    party's certificate and key (PEM files), and the CA file that issued the server's."""

    url: str
    certificate: str
    key: str
    ca: str


@dataclass(frozen=True)
class Order:
    order_ref: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str


@dataclass(frozen=True)
class Collected:
    order_ref: str
    status: str  # pending, failed, complete
    hint_code: str = ""
    completion: dict[str, Any] = field(default_factory=dict)


def endpoint() -> Endpoint:
    """The configured API: BankID's when an address is set, otherwise the simulator's."""
    if settings.BANKID_URL:
        return Endpoint(
            url=settings.BANKID_URL.rstrip("/"),
            certificate=settings.BANKID_CERTIFICATE,
            key=settings.BANKID_KEY or settings.BANKID_CERTIFICATE,
            ca=settings.BANKID_CA,
        )
    from digigov.identity.bankid import certificates

    files = certificates.simulator_files()
    return Endpoint(
        url=f"https://{settings.BANKID_SIMULATOR_ADDRESS}{PATH}",
        certificate=str(files.rp_certificate),
        key=str(files.rp_key),
        ca=str(files.ca_certificate),
    )


_clients: dict[Endpoint, httpx.Client] = {}
_lock = threading.Lock()


def _http(where: Endpoint) -> httpx.Client:
    with _lock:
        client = _clients.get(where)
        if client is None:
            context = ssl.create_default_context(cafile=where.ca or None)
            context.load_cert_chain(where.certificate, where.key)
            # refuses to call inside a database transaction (core.outbound)
            client = outbound.http_client(
                verify=context,
                timeout=httpx.Timeout(settings.BANKID_TIMEOUT, connect=5.0),
                limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
            )
            _clients[where] = client
        return client


def forget_connections() -> None:
    """Close the pools (after the certificates changed, or at the end of a test)."""
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def _call(operation: str, body: dict[str, Any], where: Endpoint | None = None) -> dict[str, Any]:
    where = where or endpoint()
    try:
        response = _http(where).post(f"{where.url}/{operation}", json=body)
    except httpx.TimeoutException as error:
        raise BankIdError("requestTimeout", str(error)) from error
    except (httpx.HTTPError, ssl.SSLError, OSError) as error:
        raise BankIdError("unavailable", str(error)) from error
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code != 200:
        if isinstance(answer, dict) and isinstance(answer.get("errorCode"), str):
            raise BankIdError(
                answer["errorCode"], str(answer.get("details", "")), response.status_code
            )
        raise BankIdError("internalError", f"HTTP {response.status_code}", response.status_code)
    if not isinstance(answer, dict):
        raise BankIdError("internalError", "the answer is not a JSON object", 200)
    return answer


def _encoded(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _start(operation: str, body: dict[str, Any], where: Endpoint | None) -> Order:
    answer = _call(operation, body, where)
    try:
        return Order(
            order_ref=str(answer["orderRef"]),
            auto_start_token=str(answer["autoStartToken"]),
            qr_start_token=str(answer["qrStartToken"]),
            qr_start_secret=str(answer["qrStartSecret"]),
        )
    except KeyError as error:
        raise BankIdError("internalError", f"the answer has no {error}") from error


def _body(
    end_user_ip: str,
    *,
    user_visible_data: str | None,
    user_non_visible_data: bytes | None,
    return_url: str | None,
    personal_number: str | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"endUserIp": end_user_ip}
    if user_visible_data is not None:
        body["userVisibleData"] = _encoded(user_visible_data)
        body["userVisibleDataFormat"] = "simpleMarkdownV1"
    if user_non_visible_data is not None:
        body["userNonVisibleData"] = base64.b64encode(user_non_visible_data).decode()
    if return_url:
        body["returnUrl"] = return_url
    if settings.BANKID_RETURN_RISK:
        body["returnRisk"] = True
    if personal_number:
        body["requirement"] = {"personalNumber": personal_number}
    return body


def auth(
    end_user_ip: str,
    *,
    user_visible_data: str | None = None,
    return_url: str | None = None,
    personal_number: str | None = None,
    where: Endpoint | None = None,
) -> Order:
    """Start a sign-in. `user_visible_data` (simpleMarkdownV1) is shown in the app."""
    body = _body(
        end_user_ip,
        user_visible_data=user_visible_data,
        user_non_visible_data=None,
        return_url=return_url,
        personal_number=personal_number,
    )
    return _start("auth", body, where)


def sign(
    end_user_ip: str,
    user_visible_data: str,
    *,
    user_non_visible_data: bytes | None = None,
    return_url: str | None = None,
    personal_number: str | None = None,
    where: Endpoint | None = None,
) -> Order:
    """Start a signature over `user_visible_data` (what the person reads, simpleMarkdownV1)
    and `user_non_visible_data` (what is signed unseen, such as a document's hash)."""
    body = _body(
        end_user_ip,
        user_visible_data=user_visible_data,
        user_non_visible_data=user_non_visible_data,
        return_url=return_url,
        personal_number=personal_number,
    )
    return _start("sign", body, where)


def collect(order_ref: str, *, where: Endpoint | None = None) -> Collected:
    answer = _call("collect", {"orderRef": order_ref}, where)
    status = answer.get("status")
    if status not in {"pending", "failed", "complete"}:
        raise BankIdError("internalError", f"unknown status {status!r}", 200)
    completion = answer.get("completionData") if status == "complete" else {}
    if status == "complete" and not isinstance(completion, dict):
        raise BankIdError("internalError", "a complete order without completionData", 200)
    return Collected(
        order_ref=order_ref,
        status=status,
        hint_code=str(answer.get("hintCode") or ""),
        completion=completion or {},
    )


def cancel(order_ref: str, *, where: Endpoint | None = None) -> None:
    _call("cancel", {"orderRef": order_ref}, where)
