"""The client other modules use to call services over the exchange, through this
installation's gateway, with X-Road's REST protocol."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from digigov.core import outbound
from digigov.exchange.identifiers import ClientId, ServiceId

ISSUE_SAFE = " /:.,()-_'+=?"


class ExchangeError(Exception):
    """The exchange refused or failed: `code` is the X-Road error type, or the
    provider's HTTP status when the service itself answered with an error."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass
class ExchangeClient:
    gateway_url: str  # the client side of this installation's gateway
    client: ClientId  # the calling subsystem
    timeout: float = 10.0

    def __post_init__(self) -> None:
        self._http = outbound.http_client(
            base_url=self.gateway_url.rstrip("/"), timeout=self.timeout
        )

    def get(
        self,
        service: ServiceId,
        path: str,
        *,
        user_id: str = "",
        issue: str = "",
        params: dict[str, str] | None = None,
    ) -> Any:
        """GET a service's path and return its JSON; None when the service says 404."""
        # Header values are ASCII: the issue's other characters are percent-encoded (UTF-8).
        headers = _headers(self.client, user_id, issue)
        try:
            answer = self._http.get(f"/r1/{service.path()}{path}", headers=headers, params=params)
        except httpx.HTTPError as error:
            raise ExchangeError("Client.GatewayUnreachable", str(error), 0) from error
        if "x-road-error" in answer.headers:
            body = _json(answer)
            raise ExchangeError(
                answer.headers["x-road-error"], str(body.get("message", "")), answer.status_code
            )
        if answer.status_code == 404:
            return None
        if answer.status_code >= 400:
            raise ExchangeError(
                f"Service.{answer.status_code}", answer.text[:300], answer.status_code
            )
        return answer.json()

    def post(self, service: ServiceId, path: str, document: object, *, issue: str = "") -> Any:
        """POST a JSON document to a service's path and return its JSON answer."""
        headers = {"Content-Type": "application/json", **_headers(self.client, "", issue)}
        try:
            answer = self._http.post(
                f"/r1/{service.path()}{path}",
                content=json.dumps(document).encode(),
                headers=headers,
            )
        except httpx.HTTPError as error:
            raise ExchangeError("Client.GatewayUnreachable", str(error), 0) from error
        if "x-road-error" in answer.headers:
            raise ExchangeError(
                answer.headers["x-road-error"],
                str(_json(answer).get("message", "")),
                answer.status_code,
            )
        if answer.status_code >= 400:
            raise ExchangeError(
                f"Service.{answer.status_code}", answer.text[:300], answer.status_code
            )
        return answer.json()

    def close(self) -> None:
        self._http.close()


def _headers(client: ClientId, user_id: str, issue: str) -> dict[str, str]:
    headers = {"X-Road-Client": str(client), "X-Road-Id": str(uuid.uuid4())}
    if user_id:
        headers["X-Road-UserId"] = user_id
    if issue:
        headers["X-Road-Issue"] = quote(issue[:300], safe=ISSUE_SAFE)
    return headers


class AsyncExchangeClient:
    """For asking many services at once (the Mina ärenden hub): the raw answer, so the
    caller judges the service's status and body; the exchange's own refusals raise."""

    def __init__(self, gateway_url: str, client: ClientId, timeout: float = 10.0) -> None:
        self.client = client
        self._http = outbound.async_http_client(base_url=gateway_url.rstrip("/"), timeout=timeout)

    async def post(
        self,
        service: ServiceId,
        path: str,
        body: bytes,
        *,
        user_id: str = "",
        issue: str = "",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {"Content-Type": "application/json", **(headers or {})}
        sent.update(_headers(self.client, user_id, issue))
        try:
            answer = await self._http.post(
                f"/r1/{service.path()}{path}", content=body, headers=sent
            )
        except httpx.HTTPError as error:
            raise ExchangeError(
                "Client.GatewayUnreachable", str(error) or type(error).__name__, 0
            ) from error
        if "x-road-error" in answer.headers:
            raise ExchangeError(
                answer.headers["x-road-error"],
                str(_json(answer).get("message", "")),
                answer.status_code,
            )
        return answer

    async def __aenter__(self) -> AsyncExchangeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        found = answer.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
