"""The JSON API at /api/: one NinjaAPI, each module adds its router."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from digigov.cases.api import router as cases_router
from digigov.cases.org_api import router as organisation_cases_router
from digigov.core import problems
from digigov.core.api import router as core_router
from digigov.identity import loa
from digigov.identity.api import router as identity_router
from digigov.services.api import router as services_router


class DigigovAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return problems.describe_problems(super().get_openapi_schema(*args, **kwargs))


api = DigigovAPI(
    title="Digigov API",
    version="1",
    description=(
        "Digigov's public API. Errors are RFC 9457 problem documents "
        "(application/problem+json) with English and Swedish text."
    ),
    urls_namespace="api",
)
problems.install(api)


@api.exception_handler(loa.StepUp)
def on_step_up(request: HttpRequest, error: loa.StepUp) -> HttpResponse:
    """Sign in again at the level named (`required_loa`): what was asked needs more."""
    answer = problems.response(
        request,
        403,
        "step-up",
        "Sign in again with an e-ID of a higher level of assurance / "
        "Logga in igen med en e-legitimation med högre tillitsnivå",
    )
    answer["WWW-Authenticate"] = (
        f'Bearer error="insufficient_user_authentication", acr_values="{error.required}"'
    )
    return answer


api.add_router("/", core_router)
api.add_router("/", identity_router)
api.add_router("/", services_router)
api.add_router("/", cases_router)
api.add_router("/", organisation_cases_router)
