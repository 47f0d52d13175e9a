"""Shared plumbing for the benchmarks: a fresh database, the real server, signed-in clients.

Everything runs on this machine: the server on 127.0.0.1, PostgreSQL as given.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from stdnum import luhn

ROOT = Path(__file__).resolve().parents[1]
DIGIGOV = [sys.executable, "-m", "digigov"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def describe(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{name}: n={len(ms)} median={statistics.median(ms):.1f} ms "
        f"p95={percentile(ms, 0.95):.1f} ms max={max(ms):.1f} ms"
    )


def fresh_database(url: str) -> None:
    """Drop and create the database named in a postgres:// URL."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"refusing odd database name {name!r}")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


def environment(
    database_url: str, data_dir: Path, port: int, workers: int, threads: int = 4
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGIGOV_")}
    env.update(
        {
            # demo mode: the test e-ID is on, so clients sign in through the real OIDC flow
            "DIGIGOV_MODE": "demo",
            "DATABASE_URL": database_url,
            "DIGIGOV_DATA_DIR": str(data_dir),
            "DIGIGOV_PORT": str(port),
            "DIGIGOV_WORKERS": str(workers),
            "DIGIGOV_THREADS": str(threads),
            "DJANGO_SETTINGS_MODULE": "digigov.settings",
        }
    )
    return env


def run(env: dict[str, str], *arguments: str) -> None:
    subprocess.run([*DIGIGOV, *arguments], env=env, check=True, cwd=ROOT)


def capture(env: dict[str, str], *arguments: str) -> str:
    """Run a digigov command and return what it printed."""
    finished = subprocess.run(
        [*DIGIGOV, *arguments], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return finished.stdout


def query_column(url: str, sql: str, parameters: list[object]) -> list[str]:
    import psycopg

    with psycopg.connect(url) as connection:
        return [row[0] for row in connection.execute(sql, parameters).fetchall()]  # type: ignore[arg-type]


def has_table_rows(url: str, table: str, at_least: int) -> bool:
    """Whether the database exists and the table holds at least this many rows."""
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0] >= at_least)


@contextlib.contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    """Start `digigov serve` (granian, production server) and stop it afterwards."""
    base = f"http://127.0.0.1:{env['DIGIGOV_PORT']}"
    log_path = Path(tempfile.mkstemp(prefix="digigov-bench-", suffix=".log")[1])
    with log_path.open("w") as log:
        process = subprocess.Popen([*DIGIGOV, "serve"], env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/organisations", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise SystemExit(f"the server did not start; see {log_path}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def synthetic_personnummer(n: int) -> str:
    """A valid personnummer for bench person n (born 1950-1999)."""
    year = 1950 + n % 50
    day = 1 + (n // 50) % 28
    month = 1 + (n // 1400) % 12
    nine = f"{year % 100:02d}{month:02d}{day:02d}{n % 1000:03d}"
    return f"{year // 100}{nine}{luhn.calc_check_digit(nine)}"


def sign_in(base: str, number: str) -> httpx.Client:
    """Sign in through the OIDC flow with the test e-ID, as a browser would."""
    client = httpx.Client(base_url=base, timeout=30)
    start = client.get("/eid/start/test/")
    authorize = urlsplit(start.headers["location"])
    params = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    client.get(f"{authorize.path}?{authorize.query}")  # the provider's page sets the CSRF cookie
    token = client.cookies["csrftoken"]
    answer = client.post(
        authorize.path,
        data={
            **params,
            "personal_identity_number": number,
            "loa": "http://id.elegnamnden.se/loa/1.0/loa3",
            "csrfmiddlewaretoken": token,
        },
        headers={"Referer": f"{base}{authorize.path}"},
    )
    callback = client.get(answer.headers["location"])
    if callback.status_code != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"sign-in failed for {number}: {callback.status_code}")
    client.get("/")  # CSRF cookie for the API
    return client


def wait_for(url: str, headers: dict[str, str] | None = None) -> None:
    """Wait up to a minute for a URL to answer without a server error."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, headers=headers or {}, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not come up")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Ask each process to end, then wait; kill those that do not."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def temporary_data_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="digigov-bench-"))
    return path


def cleanup(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
