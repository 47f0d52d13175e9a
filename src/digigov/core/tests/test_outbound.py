"""No call leaves the process while a database transaction is open."""

import httpx
import pytest
from django.db import transaction

from digigov.core import outbound

pytestmark = pytest.mark.django_db


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"asked": str(request.url)})


def test_a_call_outside_a_transaction_goes_out():
    with outbound.http_client(transport=httpx.MockTransport(answer)) as client:
        assert client.get("http://register.test/personer").json() == {
            "asked": "http://register.test/personer"
        }


def test_a_call_inside_a_transaction_is_refused_before_it_is_sent():
    sent = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer(request)

    client = outbound.http_client(transport=httpx.MockTransport(record))
    with transaction.atomic(), pytest.raises(outbound.CallInTransaction) as refused:
        client.get("http://register.test/personer?personnummer=199003152387")
    assert sent == []
    # the message names the address, not the question (a personnummer stays out of logs)
    assert "http://register.test/personer" in str(refused.value)
    assert "1990" not in str(refused.value)


def test_asyncio_code_that_calls_out_is_refused_inside_a_transaction():
    """The event loop cannot see this thread's transaction: outbound.run checks first."""

    async def ask() -> int:
        async with outbound.async_http_client(transport=httpx.MockTransport(answer)) as client:
            return (await client.get("http://hub.test/")).status_code

    assert outbound.run(ask(), "the hub") == 200
    with transaction.atomic(), pytest.raises(outbound.CallInTransaction) as refused:
        outbound.run(ask(), "the hub")
    assert "the hub was called inside a database transaction" in str(refused.value)
