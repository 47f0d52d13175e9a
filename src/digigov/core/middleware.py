"""Security headers every response carries, and how long the server took."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from digigov.core import problems

# No inline script or style anywhere: every page works without JavaScript and
# takes its styles from our own static files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class ServerTimingMiddleware:
    """Server-Timing (W3C): the time the application took for the request (`app`, wall
    clock) and of that the CPU its thread used (`cpu`), for browsers' developer tools,
    operators' proxies and the benchmarks; the rest of what a client waits is the network,
    the HTTP server's queue and contention for the process."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began, cpu = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        wall = (time.perf_counter() - began) * 1000
        used = (time.thread_time() - cpu) * 1000
        response.headers["Server-Timing"] = f"app;dur={wall:.1f}, cpu;dur={used:.1f}"
        return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Cache-Control" not in response and _personal(request):
            # nothing of a person's is kept by a browser's or a proxy's cache
            patch_cache_control(response, private=True, no_store=True)
        return response


def _personal(request: HttpRequest) -> bool:
    """Is this answer for someone signed in (a resident, staff, a system with a key), or from
    the API (whose answers are data)?"""
    if problems.is_api(request) or "Authorization" in request.headers:
        return True
    if getattr(request, "resident", None) is not None:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class LanguageMiddleware:
    """Swedish unless the person chose English with the language switch.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language:
    a Swedish public service speaks Swedish first, and the choice is the person's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


class ApiProblemsMiddleware:
    """Every API error is a problem document (RFC 9457), whoever answered it: a handler, the
    framework (an unknown method, a body too large to read), or Django's own error views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answer = self.get_response(request)
        if (
            answer.status_code < 400
            or not problems.is_api(request)
            or answer.get("Content-Type", "").startswith(problems.CONTENT_TYPE)
        ):
            return answer
        rewritten = problems.generic(request, answer.status_code)
        for header in problems.KEPT_HEADERS:
            if header in answer:
                rewritten[header] = answer[header]
        return rewritten
