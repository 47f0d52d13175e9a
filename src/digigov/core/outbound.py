"""Calls that leave this process: other nodes, registers, e-ID providers, scanners.

None may happen while this thread holds a database transaction. A transaction
that waits for another node holds its locks for as long as the other node
takes, and on SQLite, where a transaction holds the one write lock, the other
node (a gateway logging to the same database) then waits for us: the demo's
prefill hung for the client's whole timeout that way. So every way out of the
process is made through the clients here, which refuse inside a transaction,
and the code gathers what it needs from outside first, then writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx
from django.db import connections

T = TypeVar("T")


class CallInTransaction(RuntimeError):
    """A call to another node was attempted inside a database transaction (a bug)."""


def in_transaction() -> bool:
    """Does this thread hold a database transaction (a test's own wrapper aside)?"""
    for connection in connections.all(initialized_only=True):
        # A test case's wrapping atomic is marked so, as Django's durable check reads it.
        if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
            return True
    return False


def refuse_in_transaction(target: str) -> None:
    if in_transaction():
        raise CallInTransaction(
            f"{target} was called inside a database transaction: ask first, then write"
        )


def _check(request: httpx.Request) -> None:
    refuse_in_transaction(f"{request.method} {request.url.copy_with(query=None)}")


async def _check_async(request: httpx.Request) -> None:
    _check(request)


def http_client(**options: Any) -> httpx.Client:
    """An httpx client that refuses to send inside a database transaction."""
    return httpx.Client(event_hooks={"request": [_check]}, **options)


def async_http_client(**options: Any) -> httpx.AsyncClient:
    """The same for asyncio code (the hub, the gateway)."""
    return httpx.AsyncClient(event_hooks={"request": [_check_async]}, **options)


def run(coroutine: Coroutine[Any, Any, T], target: str) -> T:
    """Run asyncio code that calls out, from synchronous code.

    An event loop has database connections of its own and cannot see this
    thread's transactions, so the check is made here, before the loop starts.
    """
    if in_transaction():
        coroutine.close()
        refuse_in_transaction(target)
    return asyncio.run(coroutine)
