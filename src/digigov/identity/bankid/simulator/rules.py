"""What the BankID simulator accepts and answers, as BankID's relying-party API v6 does.

Requests are checked field by field, with BankID's error codes (`invalidParameters` and
its details); completion data is what BankID returns: the user, the device, the
BankID's issue date, an XML signature by the user's certificate and an OCSP response
for it, both from the simulator's test CA.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import ipaddress
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from digigov.core.identifiers import parse_person_identifier
from digigov.identity.builtin_eid import TestPerson
from digigov.identity.eid_test_people import TEST_PEOPLE

# How long an order waits for the person before it fails with expiredTransaction.
ORDER_SECONDS = 180
# How long a finished order can still be collected; after that it is unknown.
KEPT_SECONDS = 300
# BankID's limits, in characters of the base64 text.
VISIBLE_AUTH_LIMIT = 1_500
VISIBLE_SIGN_LIMIT = 40_000
NON_VISIBLE_LIMIT = 200_000
RETURN_URL_LIMIT = 1_024
TEXT_LIMIT = 1_024  # web and app details: device identifiers, user agent

# Test people whose BankID plays a failure (the virtual app lists them with the others).
SCENARIOS: dict[str, tuple[TestPerson, str]] = {
    "197510102317": (TestPerson("197510102317", "Bengt", "Spärrad"), "certificateErr"),
    "196804041413": (TestPerson("196804041413", "Stina", "Startfel"), "startFailed"),
}


class ApiError(Exception):
    """An answer other than 200: BankID's `errorCode` and `details`, and the HTTP status."""

    def __init__(self, error_code: str, details: str, status: int = 400) -> None:
        super().__init__(f"{error_code}: {details}")
        self.error_code = error_code
        self.details = details
        self.status = status

    def document(self) -> dict[str, str]:
        return {"errorCode": self.error_code, "details": self.details}


def invalid(details: str) -> ApiError:
    return ApiError("invalidParameters", details)


@dataclass(frozen=True)
class OrderRequest:
    operation: str
    end_user_ip: str
    personal_number: str
    user_visible_data: str
    user_non_visible_data: str
    return_url: str
    return_risk: bool
    mrtd: bool


def _text(body: dict[str, Any], name: str, limit: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise invalid(f"Invalid {name}")
    return value


def _base64(value: str, name: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise invalid(f"Invalid {name}") from error


def _end_user_ip(body: dict[str, Any]) -> str:
    value = body.get("endUserIp")
    if not isinstance(value, str) or not value:
        raise invalid("Missing endUserIp")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError as error:
        raise invalid("Invalid endUserIp") from error


def _requirement(body: dict[str, Any]) -> tuple[str, bool]:
    requirement = body.get("requirement", {})
    if not isinstance(requirement, dict):
        raise invalid("Invalid requirement")
    number = requirement.get("personalNumber", "")
    if number:
        if not isinstance(number, str) or len(number) != 12 or not number.isascii():
            raise invalid("Invalid personalNumber")
        try:
            number = parse_person_identifier(number).value
        except ValidationError as error:
            raise invalid("Invalid personalNumber") from error
    for flag in ("pinCode", "mrtd"):
        if flag in requirement and not isinstance(requirement[flag], bool):
            raise invalid(f"Invalid {flag}")
    if requirement.get("cardReader", "class1") not in {"class1", "class2"}:
        raise invalid("Invalid cardReader")
    policies = requirement.get("certificatePolicies", [])
    if not isinstance(policies, list) or not all(isinstance(p, str) for p in policies):
        raise invalid("Invalid certificatePolicies")
    return number, bool(requirement.get("mrtd", False))


def _details(body: dict[str, Any], name: str, fields: tuple[str, ...]) -> None:
    details = body.get(name)
    if details is None:
        return
    if not isinstance(details, dict):
        raise invalid(f"Invalid {name}")
    for field in fields:
        if field in details:
            _text(details, field, TEXT_LIMIT)


def _return_url(body: dict[str, Any]) -> str:
    url = _text(body, "returnUrl", RETURN_URL_LIMIT)
    if url is None:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise invalid("Invalid returnUrl")
    return url


def order_request(operation: str, body: object) -> OrderRequest:
    """An auth or sign request, checked as BankID checks it."""
    if not isinstance(body, dict):
        raise invalid("Invalid JSON")
    end_user_ip = _end_user_ip(body)
    limit = VISIBLE_SIGN_LIMIT if operation == "sign" else VISIBLE_AUTH_LIMIT
    visible_text = _text(body, "userVisibleData", limit)
    if operation == "sign" and visible_text is None:
        raise invalid("Missing userVisibleData")
    visible = ""
    if visible_text is not None:
        try:
            visible = _base64(visible_text, "userVisibleData").decode()
        except UnicodeDecodeError as error:
            raise invalid("Invalid userVisibleData") from error
    non_visible = _text(body, "userNonVisibleData", NON_VISIBLE_LIMIT) or ""
    if non_visible:
        _base64(non_visible, "userNonVisibleData")
    if body.get("userVisibleDataFormat", "simpleMarkdownV1") != "simpleMarkdownV1":
        raise invalid("Invalid userVisibleDataFormat")
    return_risk = body.get("returnRisk", False)
    if not isinstance(return_risk, bool):
        raise invalid("Invalid returnRisk")
    _details(body, "web", ("deviceIdentifier", "referringDomain", "userAgent"))
    _details(body, "app", ("appIdentifier", "deviceOS", "deviceModelName", "deviceIdentifier"))
    personal_number, mrtd = _requirement(body)
    return OrderRequest(
        operation=operation,
        end_user_ip=end_user_ip,
        personal_number=personal_number,
        user_visible_data=visible,
        user_non_visible_data=non_visible,
        return_url=_return_url(body),
        return_risk=return_risk,
        mrtd=mrtd,
    )


def order_ref(body: object) -> str:
    """The orderRef of a collect or cancel request."""
    if not isinstance(body, dict):
        raise invalid("Invalid JSON")
    value = body.get("orderRef")
    if not isinstance(value, str):
        raise invalid("Missing orderRef")
    try:
        return str(uuid.UUID(value))
    except ValueError as error:
        raise invalid("Invalid orderRef") from error


# -- the people the virtual app can be ---------------------------------------

# Where the simulator finds a person's name: the population register, when the
# installation has one (registers sets this at start), else the test people.
directory: Callable[[str], TestPerson | None] | None = None


def person(number: str) -> TestPerson | None:
    if number in SCENARIOS:
        return SCENARIOS[number][0]
    if directory is not None:
        found = directory(number)
        if found is not None:
            return found
    return next((p for p in TEST_PEOPLE if p.personal_identity_number == number), None)


def people() -> list[TestPerson]:
    """Whom the virtual app offers to be: the test people, then the failure scenarios."""
    return [*TEST_PEOPLE, *(scenario for scenario, _hint in SCENARIOS.values())]


def scenario(number: str) -> str:
    """The failure a person's BankID plays, or ""."""
    return SCENARIOS[number][1] if number in SCENARIOS else ""


def issue_date(number: str) -> str:
    """When the person's BankID was issued: a fixed day within the last three years."""
    offset = int(hashlib.sha256(number.encode()).hexdigest()[:6], 16) % (3 * 365)
    return (dt.date(2026, 1, 1) - dt.timedelta(days=offset)).isoformat()


def device_id(number: str) -> str:
    """The `uhi` of the person's device: stable per person, as a device's would be."""
    return base64.b64encode(hashlib.sha256(f"device:{number}".encode()).digest()[:21]).decode()
