"""RFC 9457 problem details for every API error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import override
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

PROBLEM_TYPE_BASE = "https://digigov.se/problems/"
CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad Request / Felaktig begäran",
    401: "Unauthorized / Inte inloggad",
    403: "Forbidden / Ingen behörighet",
    404: "Not Found / Finns inte",
    405: "Method Not Allowed / Metoden stöds inte",
    406: "Not Acceptable / Formatet kan inte ges",
    409: "Conflict / Konflikt",
    413: "Content Too Large / För stort innehåll",
    415: "Unsupported Media Type / Formatet stöds inte",
    422: "Unprocessable Content / Ogiltiga uppgifter",
    429: "Too Many Requests / För många anrop",
    500: "Internal Server Error / Internt fel",
    503: "Service Unavailable / Inte tillgängligt just nu",
}

# What an error answered without a handler of its own says, by status.
DETAILS = {
    400: "The request could not be understood / Begäran gick inte att förstå",
    401: "Sign in first / Logga in först",
    403: "You do not have access / Du har inte behörighet",
    404: "No such resource / Resursen finns inte",
    405: "The method is not allowed here / Metoden stöds inte här",
    413: "The request is too large / Begäran är för stor",
    429: "Too many requests; wait and try again / För många anrop; vänta och försök igen",
    500: "Something went wrong on our side / Något gick fel hos oss",
}

# Headers an error keeps when it is rewritten as a problem document.
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After", "Vary", "Cache-Control")


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def generic(request: HttpRequest, status: int) -> HttpResponse:
    """A problem for an error with nothing more to say than its status."""
    slug = {400: "bad-request", 404: "not-found", 405: "method-not-allowed"}.get(
        status, f"http-{status}"
    )
    detail = DETAILS.get(status, f"HTTP {status}")
    return response(request, status, slug, detail)


class FieldProblem(Schema):
    pointer: str
    detail: str


class ProblemOut(Schema):
    """An RFC 9457 problem document, as every API error is answered."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] | None = None


def documented(status: int, schema: Any, *errors: int) -> dict[int, Any]:
    """A response map for django-ninja: the success schema and the problems it may answer."""
    return {status: schema, **{code: ProblemOut for code in errors}}


class Problem(Exception):
    """Raise from an API handler to answer with a problem document."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.errors = errors or []


def response(
    request: HttpRequest,
    status: int,
    slug: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE)


def describe_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Say in the OpenAPI document that problems come as application/problem+json.

    The description is ours too: Python's own reason phrases differ between
    versions (422 is "Unprocessable Entity" before 3.13), and the committed
    schema must not depend on the interpreter.
    """
    reference = "#/components/schemas/ProblemOut"
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                json_body = content.get("application/json")
                if json_body and json_body.get("schema", {}).get("$ref") == reference:
                    answer["content"] = {CONTENT_TYPE: json_body}
                    answer["description"] = TITLES.get(int(status), "Error")
    return schema


def install(api: Any) -> None:
    """Register handlers so every error of ``api`` is a problem document."""

    @api.exception_handler(Problem)
    def on_problem(request: HttpRequest, error: Problem) -> HttpResponse:
        return response(request, error.status, error.slug, error.detail, error.errors)

    @api.exception_handler(NinjaValidationError)
    def on_validation(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "pointer": "/" + "/".join(str(part) for part in item.get("loc", [])),
                "detail": item.get("msg", ""),
            }
            for item in error.errors
        ]
        return response(
            request, 422, "validation", "The request has invalid fields / Ogiltiga fält", errors
        )

    @api.exception_handler(AuthenticationError)
    def on_authentication(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        return response(request, 401, "not-signed-in", "Sign in first / Logga in först")

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        return response(request, error.status_code, f"http-{error.status_code}", str(error))


def english_and_swedish(render: Callable[[], str]) -> str:
    """`English / Swedish`: what `render` gives in each language (messages render when read)."""
    with override("en"):
        english = render()
    with override("sv"):
        swedish = render()
    return f"{english} / {swedish}"


def _joined(messages: list[str]) -> str:
    return " ".join(str(m) for m in messages)


def _by_field(error: DjangoValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {key: _joined(messages) for key, messages in error.message_dict.items()}
    return {"": _joined(list(error.messages))}


def field_errors(
    error: DjangoValidationError, pointer: Callable[[str], str]
) -> list[dict[str, str]]:
    """A ValidationError's messages by field, as problem `errors` in both languages."""
    with override("en"):
        english = _by_field(error)
    with override("sv"):
        swedish = _by_field(error)
    return [
        {"pointer": pointer(key), "detail": f"{english[key]} / {swedish[key]}"}
        for key in sorted(english)
    ]


def messages_of(error: DjangoValidationError) -> str:
    """A ValidationError's messages, in both languages."""
    return english_and_swedish(lambda: _joined(list(error.messages)))
