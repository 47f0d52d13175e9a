"""Running the independent OpenID Connect software in ./interop (node, from npm) beside
the tests. In CI it must be there (`.ci/run` installs it); elsewhere a missing node or
`npm ci` skips these tests with the reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

FOLDER = Path(__file__).parent / "interop"


def require_node() -> str:
    node = shutil.which("node")
    missing = (
        "no node on PATH"
        if node is None
        else "run `npm ci` in src/digigov/identity/tests/interop"
        if not (FOLDER / "node_modules" / "oidc-provider").is_dir()
        else ""
    )
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the independent OIDC software: {missing}")
        pytest.skip(missing)
    assert node is not None
    return node


class Running:
    """A node process whose stdout lines are kept, for counting its requests."""

    def __init__(self, arguments: list[str], ready: str = "READY") -> None:
        """Start node; wait for a line `ready` unless it is empty."""
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [require_node(), *arguments],
            cwd=FOLDER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + 20
        while ready and ready not in self.lines:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("node did not start:\n" + "\n".join(self.lines))
            time.sleep(0.05)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def requests(self, path: str) -> int:
        return sum(1 for line in self.lines if line.startswith("REQUEST ") and line.endswith(path))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()


@contextmanager
def provider(configuration: dict[str, Any]) -> Iterator[Running]:
    running = Running(["op.mjs", json.dumps(configuration)])
    try:
        yield running
    finally:
        running.stop()
