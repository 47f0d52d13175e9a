"""Every change goes through an action: the test suite watches every write.

Each database connection the tests open gets an execute wrapper that looks at
every INSERT, UPDATE, DELETE and COPY. A write that came in through a way in
(a page, an API, a command, a job, the gateway, the demo loader) must pass
through an `actions` module (`<module>/actions.py` or `<module>/actions/`)
on its way to the database. A test's own setup may write as it likes. What
remains is a write outside actions, and the test that caused it fails,
naming the code.
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.db.backends.signals import connection_created

PACKAGE = str(Path(__file__).resolve().parents[1])
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|COPY)\b", re.IGNORECASE)
TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+"?([\w.]+)"?', re.IGNORECASE)

# Writes that are not business state, each with why.
NOT_STATE = {
    # Django's session store: the sign-in session itself, written by its middleware
    "django_session": "sessions",
    # Django's database cache: answers kept a while (the Mina ärenden hub)
    "django_cache": "cache",
    "digigov_cache": "cache",
    # the task queue's own bookkeeping
    "django_tasks_database_dbtaskresult": "task queue",
    "django_tasks_db_dbtaskresult": "task queue",
}
# Writes by infrastructure that is itself the record of what happened.
RECORDERS = (
    # the gateway's hash-chained message log, appended by its writer thread
    f"{PACKAGE}/exchange/log.py",
)

offenders: list[str] = []
_lock = threading.Lock()


def _ours(frame: FrameType) -> str | None:
    name = frame.f_code.co_filename
    return name if name.startswith(PACKAGE) else None


def _is_test(path: str) -> bool:
    return "/tests/" in path or path.endswith("conftest.py")


def _is_action(path: str) -> bool:
    return path.endswith("/actions.py") or "/actions/" in path


def _is_entry(path: str) -> bool:
    """Where requests, commands, jobs and other nodes come in."""
    name = Path(path).name
    return (
        name in {"views.py", "api.py", "admin.py", "middleware.py", "tasks.py", "cli.py"}
        or name.endswith(("_views.py", "_api.py"))
        or "/management/commands/" in path
        or "/exchange/gateway/" in path
        or path.endswith("/web/demo.py")
    )


def _verdict(frame: FrameType | None) -> str | None:
    """None when the write is allowed; else the chain of our frames that made it.

    Allowed: a write an action makes (however deep), the recorders', and a test's own
    setup (a test that writes, or calls a helper that does, with no way in between).
    """
    chain: list[str] = []
    entered = False
    while frame is not None:
        path = _ours(frame)
        if path is not None:
            if _is_test(path):
                break
            if _is_action(path) or path in RECORDERS:
                return None
            entered = entered or _is_entry(path)
            line = f"{Path(path).relative_to(PACKAGE)}:{frame.f_lineno} {frame.f_code.co_name}"
            chain.append(line)
        frame = frame.f_back
    return " <- ".join(chain) if chain and entered else None


def _guard(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    if isinstance(sql, str) and WRITE.match(sql):
        table = (TABLE.match(sql) or [None, ""])[1]
        if table not in NOT_STATE:
            found = _verdict(sys._getframe(1))
            if found is not None:
                with _lock:
                    offenders.append(f"{sql.split()[0].upper()} {table}: {found}")
    return execute(sql, params, many, context)


def _install(sender: Any, connection: Any, **kwargs: Any) -> None:
    if _guard not in connection.execute_wrappers:
        connection.execute_wrappers.append(_guard)


def watch() -> None:
    """Wrap every connection from now on (called once, when the tests start)."""
    connection_created.connect(_install, dispatch_uid="digigov-writes-outside-actions")


def take() -> list[str]:
    with _lock:
        found = list(dict.fromkeys(offenders))
        offenders.clear()
    return found
