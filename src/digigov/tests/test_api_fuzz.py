"""Every API operation, fuzzed from the OpenAPI schema: no 500s, answers as documented."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from digigov.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

# Operations whose valid input a JSON Schema cannot express (check digits), so a
# schema-valid request may rightly be refused with 422.
BEYOND_JSON_SCHEMA = {"normaliseIdentifier"}


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes database connections after each request; inside a
    test's transaction that would close the test's own. Django's test client
    unhooks the same signal for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
@schema.parametrize()
@settings(max_examples=40, suppress_health_check=list(HealthCheck), deadline=None)
def test_api(case, organisation):
    excluded = (
        [positive_data_acceptance]
        if case.operation.definition.raw.get("operationId") in BEYOND_JSON_SCHEMA
        else []
    )
    case.call_and_validate(excluded_checks=excluded)
