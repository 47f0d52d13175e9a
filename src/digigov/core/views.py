"""Error pages. They speak both languages at once: the failure may come before we know which."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from digigov.core import problems


def _error(
    request: HttpRequest, status: int, title_sv: str, title_en: str, text_sv: str, text_en: str
) -> HttpResponse:
    context = {
        "status": status,
        "title_sv": title_sv,
        "title_en": title_en,
        "text_sv": text_sv,
        "text_en": text_en,
    }
    return render(request, "digigov/error.html", context, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "Formuläret kunde inte skickas",
        "The form could not be sent",
        "Sidan var för gammal eller kom inte från oss. Gå tillbaka, ladda om sidan och försök igen.",
        "The page was too old or did not come from us. Go back, reload the page and try again.",
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if problems.is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return problems.response(
                request,
                413,
                "too-large",
                "The request is too large / Begäran är för stor",
            )
        if isinstance(exception, TooManyFilesSent | TooManyFieldsSent):
            return problems.response(
                request,
                413,
                "too-many-parts",
                "The request has too many files or fields / Begäran har för många filer eller fält",
            )
        return problems.generic(request, 400)
    return _error(
        request,
        400,
        "Felaktig begäran",
        "Bad request",
        "Vi kunde inte förstå begäran. Gå tillbaka och försök igen.",
        "We could not understand the request. Go back and try again.",
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if problems.is_api(request):
        return problems.generic(request, 403)
    return _error(
        request,
        403,
        "Du har inte behörighet",
        "You do not have access",
        "Du saknar behörighet till den här sidan.",
        "You do not have access to this page.",
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if problems.is_api(request):
        return problems.generic(request, 404)
    return _error(
        request,
        404,
        "Sidan finns inte",
        "Page not found",
        "Kontrollera adressen, eller börja om från startsidan.",
        "Check the address, or start again from the home page.",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if problems.is_api(request):
        return problems.response(request, 500, "internal", problems.DETAILS[500])
    return _error(
        request,
        500,
        "Något gick fel hos oss",
        "Something went wrong on our side",
        "Felet är loggat. Försök igen om en stund.",
        "The error has been logged. Please try again shortly.",
    )
