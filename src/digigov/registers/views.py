"""The base registers as services behind this installation's gateway (the register node role).

Only the gateway may call them, each service with its own token
(`exchange.queries.gateway_service`). What a register answers, and the record
of it for the person's data tracker, is `registers.answers`: these views only
read the question off the request and give the answer or the problem.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from digigov.core import problems
from digigov.exchange import queries as exchange_queries
from digigov.registers import answers
from digigov.registers.answers import (
    COMPANY,
    DATA_TRACKER,
    POPULATION,
    PROPERTY,
    Asker,
    BadQuestion,
    NotFound,
    Refused,
)

View = Callable[..., HttpResponse]


def service(code: str) -> Callable[[Callable[..., dict[str, Any]]], View]:
    """A view of the service `code`: refused unless our gateway called it for that service;
    given the question's asker; its BadQuestion and NotFound answered as problems."""

    def decorate(answer: Callable[..., dict[str, Any]]) -> View:
        @require_safe
        @wraps(answer)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if exchange_queries.gateway_service(request.headers, code) is None:
                detail = f"{code} answers only through the exchange's gateway"
                return problems.response(request, 403, "gateway-only", detail)
            try:
                return JsonResponse(answer(request, _asker(request), *args, **kwargs))
            except BadQuestion as error:
                return problems.response(request, 400, "bad-question", str(error))
            except Refused as error:
                return problems.response(request, 403, "refused", str(error))
            except NotFound as error:
                return problems.response(request, 404, "not-found", str(error))

        return view

    return decorate


def _asker(request: HttpRequest) -> Asker:
    client = request.headers.get("X-Road-Client", "")
    return Asker(
        client=client,
        client_name=exchange_queries.member_name(client.rsplit("/", 1)[0]),
        user_id=request.headers.get("X-Road-UserId", ""),
        purpose=unquote(request.headers.get("X-Road-Issue", "")),
        message_id=request.headers.get("X-Road-Id", ""),
    )


@service(POPULATION)
def person(request: HttpRequest, asker: Asker, number: str) -> dict[str, Any]:
    return answers.person(number, asker)


@service(POPULATION)
def household(request: HttpRequest, asker: Asker, number: str) -> dict[str, Any]:
    return answers.household(number, asker)


@service(PROPERTY)
def properties(request: HttpRequest, asker: Asker) -> dict[str, Any]:
    return answers.properties(request.GET.get("agare", ""), asker)


@service(PROPERTY)
def property_details(request: HttpRequest, asker: Asker, designation: str) -> dict[str, Any]:
    return answers.property_details(designation, asker)


@service(COMPANY)
def company(request: HttpRequest, asker: Asker, number: str) -> dict[str, Any]:
    return answers.company(number, asker)


@service(COMPANY)
def companies(request: HttpRequest, asker: Asker) -> dict[str, Any]:
    jointly = request.GET.get("tillsammans", "nej")
    if jointly not in {"ja", "nej"}:
        raise BadQuestion("tillsammans is ja or nej")
    return answers.companies(request.GET.get("firmatecknare", ""), asker, jointly=jointly == "ja")


@service(DATA_TRACKER)
def accesses(request: HttpRequest, asker: Asker, number: str) -> dict[str, Any]:
    return answers.accesses(number, asker)
