"""Checks that keep the project's committed artefacts true to the code."""

import json
from pathlib import Path

from digigov.api import api

ROOT = Path(__file__).resolve().parents[3]
OPENAPI = ROOT / "docs" / "api" / "openapi.json"


def test_the_committed_openapi_schema_matches_the_code():
    generated = json.loads(json.dumps(api.get_openapi_schema(), sort_keys=True))
    committed = json.loads(OPENAPI.read_text())
    assert generated == committed, "run `make openapi` and commit docs/api/openapi.json"


def test_the_settings_reference_is_complete():
    from digigov import config

    committed = (ROOT / "docs" / "settings.md").read_text()
    assert committed == config.settings_markdown(), "run `make settings-doc`"


def test_settings_read_only_declared_variables():
    """No os.environ read outside config.py, so nothing escapes the documented list."""
    package = Path(__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "tests" not in path.parts
        # commands may read a variable the operator names on the command line
        and "commands" not in path.parts
        and path.name
        not in {"config.py", "cli.py", "settings_for_tests.py", "wsgi.py", "asgi.py", "conftest.py"}
        and ("os.environ" in path.read_text() or "getenv(" in path.read_text())
    ]
    assert offenders == []


def test_calls_leave_the_process_only_through_core_outbound():
    """Every HTTP client and socket to another node is made by core.outbound, which
    refuses inside a database transaction (so none holds a lock while it waits)."""
    package = Path(__file__).resolve().parents[1]
    ways_out = ("httpx.Client(", "httpx.AsyncClient(", "socket.create_connection(", "urlopen(")
    offenders = [
        f"{path.relative_to(package)}: {way}"
        for path in package.rglob("*.py")
        if "tests" not in path.parts
        and path.name not in {"outbound.py", "conftest.py", "testing.py"}
        for way in ways_out
        if way in path.read_text()
    ]
    # cases.storage's virus scanner speaks clamd's socket protocol and asks core.outbound first.
    assert offenders == ["cases/storage.py: socket.create_connection("]


def test_the_glossary_names_each_term_once():
    terms = [
        line.split("|")[1].strip()
        for line in (ROOT / "docs" / "glossary.md").read_text().splitlines()
        if line.startswith("| ") and not line.startswith("| Swedish")
    ]
    assert terms and sorted(t for t in set(terms) if terms.count(t) > 1) == []
