"""Actions are the outermost transactions.

`@action` runs a function as one transaction that must be the outermost one
(Django's `durable`): what it sends with `transaction.on_commit` then really
happens after the commit, and no caller can hold its locks while it waits for
something slow. An action may call another action: the inner one joins the
outer one's transaction (a savepoint), so a composed action commits or rolls
back as one. Anything else that opens a transaction around an action is a bug,
and Django says so (RuntimeError).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
T = TypeVar("T")
_running = threading.local()


@contextmanager
def outermost() -> Iterator[None]:
    """An action's transaction, as a block (for an action that prepares outside it)."""
    if getattr(_running, "depth", 0):
        with transaction.atomic():
            yield
        return
    _running.depth = 1
    try:
        with transaction.atomic(durable=True):
            yield
    finally:
        _running.depth = 0


def action(function: Callable[P, T]) -> Callable[P, T]:
    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with outermost():
            return function(*args, **kwargs)

    return run
