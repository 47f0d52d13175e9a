"""The registry publishes its newest global configuration here; gateways fetch it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from digigov.exchange import queries


@require_safe
def global_configuration(request: HttpRequest) -> HttpResponse:
    """The newest signed configuration (a JWS): anyone may fetch it, only the anchor makes it trusted."""
    newest = queries.newest_configuration()
    if newest is None:
        return HttpResponse(
            "No global configuration has been published here.\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(newest.signed, content_type="application/jose")
    response["Cache-Control"] = "no-cache"
    response["X-Digigov-Configuration-Version"] = str(newest.version)
    return response
