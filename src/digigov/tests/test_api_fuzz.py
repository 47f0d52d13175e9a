"""Every API operation, fuzzed from the OpenAPI schema: no 500s, answers as documented."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    missing_required_header,
    positive_data_acceptance,
)

from digigov.conftest import sign_in_resident
from digigov.core.actors import Actor
from digigov.identity.actions import create_api_credential
from digigov.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

# Operations whose valid input a JSON Schema cannot express (check digits), so a
# schema-valid request may rightly be refused with 422.
BEYOND_JSON_SCHEMA = {
    "normaliseIdentifier",
    # which organisations, services and applications exist is data, not schema
    "createApplication",
    "updateApplication",
    "addAttachment",
    "submitApplication",
    "getApplication",
    "getReceipt",
    "getService",
    "getServiceSchema",
    "getOrganisation",
    "getCase",
    "addCaseDocument",
    "moveCase",
    "getDiary",
}


@pytest.fixture
def signed_in(client, services, organisation):
    """A resident's session and CSRF token, and an organisation's API key, so the
    fuzzer reaches past sign-in."""
    _credential, key = create_api_credential(
        actor=Actor.system("tests"),
        organisation=organisation,
        name="Fuzz",
        scopes=["cases:read", "cases:write"],
        role="handlaggare",
    )
    sign_in_resident(client, "199003152387")
    client.get("/")  # sets the CSRF cookie
    session, token = client.cookies["sessionid"].value, client.cookies["csrftoken"].value
    # The WSGI handler closes database connections after each request; inside the
    # test's transaction that would close the test's own. Django's test client
    # unhooks the same signals for the same reason (and hooks them back after each
    # of its own requests, so this comes after the last one).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"sessionid": session, "csrftoken": token, "key": key}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=40, suppress_health_check=list(HealthCheck), deadline=None)
def test_api(case, signed_in):
    # The session is real and fixed, so "does it refuse made-up credentials" is tested
    # elsewhere (test_without_sign_in_the_api_answers_401), not here.
    # Likewise the fixed API key: a request without it is refused (test_org_api).
    excluded = [ignored_auth, missing_required_header]
    if case.operation.definition.raw.get("operationId") in BEYOND_JSON_SCHEMA:
        excluded.append(positive_data_acceptance)
    case.cookies = {"sessionid": signed_in["sessionid"], "csrftoken": signed_in["csrftoken"]}
    case.headers = {
        **(case.headers or {}),
        "X-CSRFToken": signed_in["csrftoken"],
        "Authorization": f"Bearer {signed_in['key']}",
    }
    response = case.call_and_validate(excluded_checks=excluded)
    if case.method == "GET" and case.operation.definition.raw.get("operationId") in {
        "getMe",
        "listApplications",
    }:
        assert response.status_code == 200  # the session really reaches the API
    if case.operation.definition.raw.get("operationId") == "listCases":
        assert response.status_code != 401  # the key really reaches the API
