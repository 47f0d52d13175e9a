"""The JSON API at /api/: one NinjaAPI, each module adds its router."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from digigov.cases.api import router as cases_router
from digigov.cases.org_api import router as organisation_cases_router
from digigov.core import problems
from digigov.core.api import router as core_router
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
api.add_router("/", core_router)
api.add_router("/", identity_router)
api.add_router("/", services_router)
api.add_router("/", cases_router)
api.add_router("/", organisation_cases_router)
