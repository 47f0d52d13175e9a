"""Every API operation, fuzzed from the OpenAPI schema: no 500s, answers as documented."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from digigov.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

# Operations whose valid input a JSON Schema cannot express (check digits), so a
# schema-valid request may rightly be refused with 422.
BEYOND_JSON_SCHEMA = {"normaliseIdentifier"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=40, suppress_health_check=list(HealthCheck), deadline=None)
def test_api(case, organisation):
    excluded = (
        [positive_data_acceptance]
        if case.operation.definition.raw.get("operationId") in BEYOND_JSON_SCHEMA
        else []
    )
    case.call_and_validate(excluded_checks=excluded)
