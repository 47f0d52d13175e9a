"""BankID's relying-party API v6 as a relying party sees it: what the service accepts,
answers and refuses. The suite runs against the simulator; given a certificate for
BankID's own test service (DIGIGOV_BANKID_CONFORMANCE_URL, _CERTIFICATE, _KEY, _CA),
the same tests run against that, to keep the simulator honest.

Tests that need a person to act in the app (scan, approve) are the simulator's alone:
see test_bankid_simulator.py.
"""

from __future__ import annotations

import base64
import os
import uuid

import httpx
import pytest

from digigov.identity.bankid import client
from digigov.identity.bankid.client import BankIdError, Endpoint

pytestmark = pytest.mark.django_db(transaction=True)

REAL = os.environ.get("DIGIGOV_BANKID_CONFORMANCE_URL", "")
# A personnummer for the tests' requirement (BankID's test service accepts any valid one).
SOMEONE = "199003152387"


@pytest.fixture(params=["simulator", *(["bankid-test"] if REAL else [])])
def api(request: pytest.FixtureRequest) -> Endpoint:
    if request.param == "bankid-test":
        return Endpoint(
            url=REAL.rstrip("/"),
            certificate=os.environ["DIGIGOV_BANKID_CONFORMANCE_CERTIFICATE"],
            key=os.environ.get("DIGIGOV_BANKID_CONFORMANCE_KEY", "")
            or os.environ["DIGIGOV_BANKID_CONFORMANCE_CERTIFICATE"],
            ca=os.environ["DIGIGOV_BANKID_CONFORMANCE_CA"],
        )
    request.getfixturevalue("bankid_simulator")
    return client.endpoint()


def _refused(error_code: str, call, *args, **kwargs) -> BankIdError:
    with pytest.raises(BankIdError) as caught:
        call(*args, **kwargs)
    assert caught.value.error_code == error_code, caught.value
    return caught.value


def test_auth_gives_an_order_with_its_tokens(api):
    order = client.auth("192.0.2.10", where=api)
    for value in (order.order_ref, order.auto_start_token, order.qr_start_token):
        uuid.UUID(value)
    assert order.qr_start_secret
    collected = client.collect(order.order_ref, where=api)
    assert (collected.status, collected.hint_code) == ("pending", "outstandingTransaction")
    client.cancel(order.order_ref, where=api)


def test_sign_takes_the_visible_text_and_unseen_data(api):
    order = client.sign(
        "2001:db8::1",
        "# Ansökan\n\nJag skriver under *ansökan om bygglov*.",
        user_non_visible_data=b"sha256:" + b"0" * 64,
        where=api,
    )
    assert client.collect(order.order_ref, where=api).status == "pending"
    client.cancel(order.order_ref, where=api)


def test_a_cancelled_order_cannot_be_collected(api):
    order = client.auth("192.0.2.10", where=api)
    client.cancel(order.order_ref, where=api)
    _refused("invalidParameters", client.collect, order.order_ref, where=api)


def test_an_unknown_order_is_refused(api):
    _refused("invalidParameters", client.collect, str(uuid.uuid4()), where=api)
    _refused("invalidParameters", client.cancel, str(uuid.uuid4()), where=api)
    _refused("invalidParameters", client.collect, "not-an-order", where=api)


def test_an_order_for_someone_with_one_in_progress_is_refused_and_ends_both(api):
    first = client.auth("192.0.2.10", personal_number=SOMEONE, where=api)
    _refused("alreadyInProgress", client.auth, "192.0.2.10", personal_number=SOMEONE, where=api)
    collected = client.collect(first.order_ref, where=api)
    assert (collected.status, collected.hint_code) == ("failed", "cancelled")


@pytest.mark.parametrize(
    "body",
    [
        {},  # no endUserIp
        {"endUserIp": "not an address"},
        {"endUserIp": "192.0.2.10", "userVisibleData": "not base64!"},
        {"endUserIp": "192.0.2.10", "userVisibleData": "A" * 1_504},  # over auth's 1 500
        {"endUserIp": "192.0.2.10", "userVisibleDataFormat": "html"},
        {"endUserIp": "192.0.2.10", "requirement": {"personalNumber": "19900315238"}},
        {"endUserIp": "192.0.2.10", "requirement": {"personalNumber": "199003152388"}},
        {"endUserIp": "192.0.2.10", "requirement": {"pinCode": "yes"}},
        {"endUserIp": "192.0.2.10", "returnRisk": "true"},
        {"endUserIp": "192.0.2.10", "returnUrl": "javascript:alert(1)"},
        [],
    ],
)
def test_bad_auth_requests_are_invalid_parameters(api, body):
    _refused("invalidParameters", client._call, "auth", body, api)


def test_sign_needs_visible_data_within_its_limit(api):
    _refused("invalidParameters", client._call, "sign", {"endUserIp": "192.0.2.10"}, api)
    too_long = base64.b64encode(b"x" * 30_001).decode()  # 40 004 characters
    body = {"endUserIp": "192.0.2.10", "userVisibleData": too_long}
    _refused("invalidParameters", client._call, "sign", body, api)


def test_only_json_by_post_on_the_api_s_paths(api):
    with httpx.Client(verify=_context(api)) as raw:
        wrong_type = raw.post(
            f"{api.url}/auth", content=b"endUserIp=1", headers={"Content-Type": "text/plain"}
        )
        assert wrong_type.status_code == 415
        assert wrong_type.json()["errorCode"] == "unsupportedMediaType"
        assert raw.get(f"{api.url}/auth").status_code == 405
        missing = raw.post(f"{api.url}/nothing", json={})
        assert (missing.status_code, missing.json()["errorCode"]) == (404, "notFound")


def _context(api: Endpoint):
    import ssl

    context = ssl.create_default_context(cafile=api.ca)
    context.load_cert_chain(api.certificate, api.key)
    return context


def test_an_independent_client_speaks_with_it(api):
    """pybankid's client (written for BankID's service), pointed at the API, unchanged."""
    from bankid import BankIDClient

    independent = BankIDClient(certificates=(api.certificate, api.key), test_server=True)
    independent.api_url = f"{api.url}/"
    for name in ("auth", "sign", "collect", "cancel"):
        setattr(independent, f"_{name}_endpoint", f"{api.url}/{name}")
    independent.client = httpx.Client(
        verify=_context(api), headers={"Content-Type": "application/json"}
    )
    started = independent.authenticate(end_user_ip="192.0.2.10")
    assert set(started) >= {"orderRef", "autoStartToken", "qrStartToken", "qrStartSecret"}
    assert independent.collect(started["orderRef"])["status"] == "pending"
    independent.cancel(started["orderRef"])
