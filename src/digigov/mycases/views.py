"""Mina ärenden over HTTP: each organisation's producer, and the hub.

Both take `POST .../kundhandelseFragaSynkron` in the standard's shape with the
header `skv_client_correlation_id` (echoed in the answer), and both answer
only their gateway (the token of the local service it fronts), so every
question arrives signed, logged and access-checked by the exchange. The
person asking (`anvandare`) must be the one in `X-Road-UserId`. Errors are
the standard's ErrorResponse (`application/json` with `message`), with RFC
9457's members too; a part the asker may not see is refused in its `delfraga`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pydantic
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from digigov.core import problems
from digigov.core.models import Organisation
from digigov.exchange import queries as exchange_queries
from digigov.mycases import hub, producer, spec

CONTENT_TYPE = "application/json"


def _problem(request: HttpRequest, status: int, slug: str, message: str) -> HttpResponse:
    """The standard's ErrorResponse (`application/json` with `message`), which also
    carries RFC 9457's members for clients that read those."""
    answer = problems.response(request, status, slug, message)
    body = json.loads(answer.content)
    body["message"] = message
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE)


def _question(request: HttpRequest) -> tuple[spec.Request, str] | HttpResponse:
    """The parsed question and correlation id, or the error to answer."""
    # WSGI gives `skv_client_correlation_id` as HTTP_SKV_CLIENT_CORRELATION_ID.
    correlation = request.headers.get(spec.CORRELATION_HEADER.replace("_", "-"), "")
    if not spec.CORRELATION.match(correlation):
        return _problem(
            request,
            400,
            "correlation-id",
            f"Bad request: the header {spec.CORRELATION_HEADER} is required "
            "(printable ASCII, at most 200 characters)",
        )
    try:
        question = spec.Request.model_validate_json(request.body)
    except pydantic.ValidationError as error:
        return _problem(request, 400, "bad-question", f"Bad request: {spec.error_message(error)}")
    user = request.headers.get("X-Road-UserId", "")
    if user != f"SE{question.anvandare}":
        return _problem(
            request,
            403,
            "not-the-user",
            "anvandare must be the person the question is asked for (X-Road-UserId)",
        )
    return question, correlation


def _answer(document: dict[str, Any], status: int, correlation: str, language: str) -> JsonResponse:
    answer = JsonResponse(document, status=status, json_dumps_params={"ensure_ascii": False})
    answer[spec.CORRELATION_HEADER] = correlation
    answer["Content-Language"] = language
    return answer


@csrf_exempt
@require_POST
def producer_question(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return _problem(request, 404, "unknown-producer", f"there is no producer {slug!r} here")
    member_id = exchange_queries.member_id_of(organisation)
    if member_id is None or not exchange_queries.gateway_service(
        request.headers, hub.PRODUCER_SERVICE, provider=member_id
    ):
        return _problem(
            request, 403, "gateway-only", "the producer answers only through the exchange's gateway"
        )
    parsed = _question(request)
    if isinstance(parsed, HttpResponse):
        return parsed
    question, correlation = parsed
    language = spec.language_of(request.headers.get("Accept-Language", ""))
    try:
        document = producer.answer(
            organisation, producer.Question(question, language, producer.loa_of(request.headers))
        )
    except producer.Refused as refused:
        return _problem(request, refused.status, "refused", refused.message)
    return _answer(document, 200, correlation, language)


@csrf_exempt
@require_POST
def hub_question(request: HttpRequest) -> HttpResponse:
    hub_system = None if settings.MYCASES_HUB == "local" else settings.MYCASES_HUB
    if not exchange_queries.gateway_service(request.headers, hub.HUB_SERVICE, provider=hub_system):
        return _problem(
            request, 403, "gateway-only", "the hub answers only through the exchange's gateway"
        )
    parsed = _question(request)
    if isinstance(parsed, HttpResponse):
        return parsed
    question, correlation = parsed
    # Who may ask about which part is each producer's to decide (producer.companies_for),
    # part by part; the hub passes their answers on.
    language = spec.language_of(request.headers.get("Accept-Language", ""))
    asker = unquote(request.headers.get("X-Road-Client", ""))
    try:
        answer = hub.ask(
            question,
            language=language,
            correlation_id=correlation,
            asker=asker,
            loa=producer.loa_of(request.headers),
        )
    except hub.HubUnavailable as error:
        return _problem(request, 503, "hub-unavailable", str(error))
    return _answer(answer.document, answer.status, correlation, language)
