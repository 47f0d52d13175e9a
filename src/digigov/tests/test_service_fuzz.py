"""The JSON services outside the django-ninja API, fuzzed from their OpenAPI descriptions as
their gateway calls them (each with its own token): the base registers (from the
descriptions the exchange publishes for them), and the Mina ärenden producer and hub (from
the reference implementation's description). No answer may be a 500, and the registers'
answers must be as described."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    missing_required_header,
    positive_data_acceptance,
)

from digigov.core.actors import Actor
from digigov.exchange import actions
from digigov.exchange.identifiers import ClientId
from digigov.registers import answers
from digigov.wsgi import application

HERE = Path(__file__).resolve().parent
MYCASES = HERE.parent / "mycases" / "tests" / "spec" / "openapi.yaml"
REGISTER = "SE-TEST/GOV/2021009978/register"
EXEMPELBY = "SE-TEST/MUN/2120009994"


def _schema(document: dict[str, Any], base: str) -> Any:
    document = {**document, "servers": [{"url": base}]}
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application
    return loaded


def _register(code: str) -> Any:
    return _schema(yaml.safe_load(answers.openapi(code)), f"/register/api/{code}")


def _dates_as_text(found: Any) -> Any:
    """YAML reads the description's example dates as dates; JSON Schema has only strings."""
    if isinstance(found, dict):
        return {key: _dates_as_text(value) for key, value in found.items()}
    if isinstance(found, list):
        return [_dates_as_text(value) for value in found]
    return found.isoformat() if isinstance(found, dt.date) else found


def _mycases(base: str) -> Any:
    document = _dates_as_text(yaml.safe_load(MYCASES.read_text()))
    document["security"] = []
    return _schema(document, base).include(operation_id="kundhandelseFragaSynkron")


SCHEMAS = {code: _register(code) for code in ("folkbokforing", "fastighet", "foretag", "dataspar")}
PRODUCER = _mycases("/mycases/api")
HUB = _mycases("/mycases")


@pytest.fixture
def tokens(registers_loaded, organisation, services) -> Any:
    """Each service's token, as its gateway sends it; the WSGI handler's connection
    closing unhooked as in test_api_fuzz (the test's own transaction is in use)."""
    from digigov.exchange import models as exchange_models

    made = {}
    for code in SCHEMAS:
        made[code] = actions.save_local_service(
            actor=Actor.system("tests"),
            provider=ClientId.parse(REGISTER),
            code=code,
            base_url=f"http://127.0.0.1/register/api/{code}",
        ).token
    actions.init_registry(actor=Actor.system("tests"), instance="SE-TEST")
    member = actions.save_member(
        actor=Actor.system("tests"),
        member_class="MUN",
        member_code="2120009994",
        name=organisation.name,
        organisation=organisation,
    )
    assert str(member) == EXEMPELBY
    made["producer"] = actions.save_local_service(
        actor=Actor.system("tests"),
        provider=ClientId.parse(f"{EXEMPELBY}/arenden"),
        code="kundhandelser",
        base_url="http://127.0.0.1/mycases/api/exempelby",
    ).token
    assert exchange_models.LocalService.objects.count() == 5
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield made
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _gateway_headers(token: str, case: Any) -> dict[str, str]:
    asked_for = ""
    body = case.body if isinstance(case.body, dict) else {}
    if isinstance(body.get("anvandare"), str):
        asked_for = body["anvandare"]
    elif isinstance((case.path_parameters or {}).get("personnummer"), str):
        asked_for = case.path_parameters["personnummer"]
    return {
        "X-Digigov-Gateway-Token": token,
        "X-Road-Client": f"{EXEMPELBY}/arenden",
        "X-Road-UserId": f"SE{asked_for}",
        "X-Road-Issue": "fuzz",
    }


EXCLUDED = [ignored_auth, missing_required_header, positive_data_acceptance]
FUZZ = settings(max_examples=30, suppress_health_check=list(HealthCheck), deadline=None)


def _fuzz(operation: Any, prepare: Any, check: Any) -> None:
    """Run one operation's generated cases through `prepare` and `check`."""

    @FUZZ
    @given(operation.as_strategy())
    def run(case: Any) -> None:
        prepare(case)
        check(case)

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(SCHEMAS))
def test_the_register_services(code, tokens):
    def prepare(case: Any) -> None:
        case.headers = {**(case.headers or {}), **_gateway_headers(tokens[code], case)}

    for operation in SCHEMAS[code].get_all_operations():
        _fuzz(
            operation.ok(), prepare, lambda case: case.call_and_validate(excluded_checks=EXCLUDED)
        )


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["producer", "hub"])
def test_mina_arenden(target, tokens, settings):
    """The producer answers its gateway; the hub (asked in-process here) answers likewise.
    Odd questions are 400s with the standard's message, never a 500."""
    schema = PRODUCER if target == "producer" else HUB
    settings.MYCASES_HUB = "local"
    token = tokens["producer"]
    if target == "hub":
        token = actions.save_local_service(
            actor=Actor.system("tests"),
            provider=ClientId.parse(f"{EXEMPELBY}/minaarenden"),
            code="vidareformedling",
            base_url="http://127.0.0.1/mycases/hub",
        ).token

    def prepare(case: Any) -> None:
        if target == "producer":
            case.path_parameters = {**(case.path_parameters or {}), "municipalityId": "exempelby"}
        case.headers = {**(case.headers or {}), **_gateway_headers(token, case)}

    def check(case: Any) -> None:
        response = case.call()
        assert response.status_code < 500, response.text[:300]

    [operation] = list(schema.get_all_operations())
    _fuzz(operation.ok(), prepare, check)
