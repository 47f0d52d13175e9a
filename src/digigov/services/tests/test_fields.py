"""The field types are one registry: a type added there is known to every surface."""

from typing import Any

import pytest
from django.http import QueryDict

from digigov.services import answers, fields, json_schema, presentation
from digigov.services.spec import ServicePackageSpec
from digigov.services.tests.test_packages import bygglov_source


class Vehicle(fields.Kind):
    """A Swedish registration number, as a package might one day want."""

    name = "vehicle"

    def clean(self, field: Any, value: Any) -> Any:
        text = str(value).replace(" ", "").upper()
        if len(text) != 6:
            raise fields.Invalid("Ange ett registreringsnummer, till exempel ABC 123.")
        return text

    def schema(self, field: Any) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[A-Z]{3}[0-9]{2}[0-9A-Z]$"}

    def display(self, field: Any, value: Any, file_names: Any) -> str:
        return f"{value[:3]} {value[3:]}"


@pytest.fixture
def with_vehicle(monkeypatch):
    monkeypatch.setitem(fields.KINDS, "vehicle", Vehicle())


def test_a_type_added_to_the_registry_works_on_every_surface(with_vehicle):
    source = bygglov_source()
    source["steps"][0]["fields"].append(
        {"id": "fordon", "type": "vehicle", "label": {"sv": "Fordon", "en": "Vehicle"}}
    )
    spec = ServicePackageSpec.model_validate(source)
    field = spec.field("fordon")

    assert answers.clean(spec, {"fordon": "abc 123"}, complete=False).values["fordon"] == "ABC123"
    assert "fordon" in answers.clean(spec, {"fordon": "x"}, complete=False).errors
    schema = json_schema.answers_schema(spec)["properties"]["fordon"]
    assert schema["pattern"] == "^[A-Z]{3}[0-9]{2}[0-9A-Z]$" and schema["title"] == "Fordon"
    assert presentation.display(field, "ABC123", {}) == "ABC 123"
    assert fields.read(field, "fordon", QueryDict("fordon=abc+123")) == "abc 123"


def test_an_unknown_type_is_refused_by_name():
    source = bygglov_source()
    source["steps"][0]["fields"][0]["type"] = "vehicle"
    with pytest.raises(ValueError, match="unknown field type 'vehicle'"):
        ServicePackageSpec.model_validate(source)


@pytest.mark.parametrize(
    ("field_id", "value"),
    [
        ("atgard", ["nybyggnad"]),  # a choice given as a list
        ("atgard", {"x": 1}),
    ],
)
def test_odd_api_answers_are_errors_not_crashes(field_id, value):
    spec = ServicePackageSpec.model_validate(bygglov_source())
    assert field_id in answers.clean(spec, {field_id: value}, complete=False).errors


def test_an_amount_with_too_many_digits_is_an_error():
    money = fields.KINDS["money"]
    field = type("F", (), {"minimum": None, "maximum": None})()
    with pytest.raises(fields.Invalid):
        money.clean(field, "1e30")


@pytest.mark.parametrize("code", ["١٢٣ ٤٥", "１２３４５", "12३45"])
def test_a_postal_code_is_ascii_digits(code):
    address = fields.KINDS["postal_address"]
    with pytest.raises(fields.Invalid) as invalid:
        address.clean(None, {"street": "Storgatan 1", "postal_code": code, "city": "Exempelby"})
    assert "fem siffror" in str(invalid.value.message)
    kept = address.clean(None, {"street": "Storgatan 1", "postal_code": "123 45", "city": "By"})
    assert kept["postal_code"] == "12345"
