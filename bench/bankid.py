"""BankID and Sweden Connect sign-ins against the real server and the BankID simulator.

Builds a fresh PostgreSQL database with a synthetic population, starts `digigov serve`
(granian) and `digigov bankid_simulator serve` (mutual TLS), then:

1. N concurrent BankID sign-ins on "another device": each browser asks for the QR every
   second and collects every two seconds; after a random 2-10 s a virtual app (a client
   of its own) scans the QR the page shows now and approves. Prints the QR and collect
   requests' median and p95, the server's and the simulator's CPU seconds per sign-in,
   and checks that every browser ends signed in as its own person (none lost, none mixed).
2. Sweden Connect: sign-ins through the test SAML identity provider, timing the POST of
   the signed, encrypted answer to /saml/acs (decrypt, verify, map, sign in).

    .venv/bin/python bench/bankid.py --sign-ins 200 --saml 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    DIGIGOV,
    ROOT,
    cleanup,
    describe,
    environment,
    fresh_database,
    percentile,
    query_column,
    run,
    server,
    stop,
    temporary_data_dir,
    wait_for,
)

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(root_pid: int) -> float:
    """User and system CPU of a process and all its descendants, in seconds."""
    children: dict[int, list[int]] = {}
    stats: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry.name), int(fields[1])
        children.setdefault(parent, []).append(pid)
        stats[pid] = (int(fields[11]), int(fields[12]))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        user, system = stats.get(pid, (0, 0))
        total += user + system
        todo.extend(children.get(pid, []))
    return total / TICKS


def machine_busy() -> tuple[float, float]:
    """The whole machine's busy and total CPU seconds so far (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields) - idle) / TICKS, sum(fields) / TICKS


def serve_pid(port: int) -> int:
    """The granian parent serving `port` (`digigov serve` execs granian)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"granian" in w for w in words) and str(port).encode() in words:
            found.append(int(entry.name))
    if not found:
        raise SystemExit("the server's process was not found")
    return min(found)


def server_timing(response: httpx.Response) -> tuple[float, float]:
    """The application's wall and CPU seconds for a request, from its Server-Timing."""
    found = dict(re.findall(r"(\w+);dur=([\d.]+)", response.headers.get("Server-Timing", "")))
    return float(found.get("app", "nan")) / 1000, float(found.get("cpu", "nan")) / 1000


class Browser:
    """One person's browser on the sign-in pages; their phone is the simulator's virtual
    app acting in this process (the phone talks to BankID, not to the server measured)."""

    def __init__(self, base: str, number: str) -> None:
        self.base, self.number = base, number
        self.web = httpx.AsyncClient(base_url=base, timeout=30)
        self.qr_times: list[float] = []
        self.collect_times: list[float] = []
        # the server's own account of each (Server-Timing): in the application, and its CPU
        self.qr_server: list[tuple[float, float]] = []
        self.collect_server: list[tuple[float, float]] = []
        self.outcome = ""

    async def csrf(self, client: httpx.AsyncClient, path: str) -> str:
        page = await client.get(path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return found.group(1) if found else client.cookies.get("csrftoken", "")

    async def sign_in(self) -> None:
        token = await self.csrf(self.web, "/eid/bankid/")
        started = await self.web.post(
            "/eid/bankid/starta",
            data={"device": "qr", "next": "/mina-sidor/", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.base}/eid/bankid/"},
        )
        if started.status_code != 302:
            self.outcome = f"start {started.status_code}"
            return
        scan_at = time.monotonic() + random.uniform(2, 10)  # noqa: S311 - a person's pace, not a secret
        scanned = False
        last_collect = 0.0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            began = time.perf_counter()
            answer = await self.web.get("/eid/bankid/qr")
            self.qr_times.append(time.perf_counter() - began)
            self.qr_server.append(server_timing(answer))
            text = answer.json().get("text", "") if answer.status_code == 200 else ""
            if not scanned and text and time.monotonic() >= scan_at:
                scanned = await self.approve(text)
            if time.monotonic() - last_collect >= 2:
                last_collect = time.monotonic()
                began = time.perf_counter()
                collected = await self.web.post(
                    "/eid/bankid/hamta",
                    headers={
                        "X-CSRFToken": self.web.cookies.get("csrftoken", ""),
                        "Referer": f"{self.base}/eid/bankid/vantar",
                    },
                )
                self.collect_times.append(time.perf_counter() - began)
                self.collect_server.append(server_timing(collected))
                state = collected.json()
                if state["status"] == "complete":
                    page = await self.web.get(state["next"])
                    self.outcome = (
                        "ok" if self.number[:8] in page.text.replace("-", "") else "mixed up"
                    )
                    return
                if state["status"] == "failed":
                    self.outcome = f"failed: {state.get('message', '')}"
                    return
            await asyncio.sleep(1)
        self.outcome = "lost"

    async def approve(self, text: str) -> bool:
        """The phone scans the QR shown now and the person approves: in processes of their
        own, so that their work (the signature's cryptography) never delays the browsers'
        event loop and so the times measured."""
        assert PHONES is not None
        return await asyncio.get_running_loop().run_in_executor(PHONES, phone, text, self.number)


PHONES: ProcessPoolExecutor | None = None


def phone(text: str, number: str) -> bool:
    from digigov.identity.bankid.simulator import actions

    try:
        order = actions.scan(text, number, "192.0.2.7")
        actions.approve(order.order_ref, number)
    except actions.AppError:
        return False
    return True


async def bankid_round(base: str, numbers: list[str]) -> list[Browser]:
    browsers = [Browser(base, number) for number in numbers]
    await asyncio.gather(*(browser.sign_in() for browser in browsers))
    for browser in browsers:
        await browser.web.aclose()
    return browsers


def signed_in_as(browser: Browser) -> str:
    """Whom the browser's session is signed in as, read from the session store."""
    from django.contrib.sessions.backends.db import SessionStore

    key = browser.web.cookies.get("sessionid", "")
    data = SessionStore(session_key=key).load() if key else {}
    return str((data.get("resident") or {}).get("number", ""))


def in_process(env: dict[str, str]) -> None:
    """Configure this process as the server is (the phone, and the SAML timing)."""
    os.environ.update(env)
    import django

    django.setup()


def saml_answer(browser: httpx.Client) -> tuple[str, str]:
    """Begin a Sweden Connect sign-in and be Erik at the test identity provider: the signed,
    encrypted answer, and the id of the request it answers."""
    import base64
    import zlib
    from urllib.parse import parse_qs, urlsplit

    to_idp = browser.get("/eid/start/saml/", follow_redirects=True)
    query = parse_qs(urlsplit(str(to_idp.url)).query)
    request = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()
    request_id = re.search(r' ID="([^"]+)"', request).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', to_idp.text))
    token = fields.pop("csrfmiddlewaretoken", "")
    answer = browser.post(
        "/test-idp/sso",
        data={
            **fields,
            "csrfmiddlewaretoken": token,
            "personal_identity_number": "198511224571",
            "loa": "http://id.elegnamnden.se/loa/1.0/loa3",
        },
        headers={"Referer": str(to_idp.url)},
    )
    posted = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', answer.text))
    return posted["SAMLResponse"], request_id


def saml_processing(env: dict[str, str], answers: list[tuple[str, str]]) -> list[float]:
    """The service provider's processing of each answer (decrypt, verify, map to the
    identity port), timed in a process configured as the server is."""
    from digigov.identity.saml import sp

    times = []
    for saml_response, request_id in answers:
        began = time.perf_counter()
        sp.finish(saml_response, {request_id: "/mina-sidor/"})
        times.append(time.perf_counter() - began)
    return times


def saml_round(base: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        with httpx.Client(base_url=base, timeout=30) as browser:
            to_idp = browser.get("/eid/start/saml/", follow_redirects=True)
            fields = dict(
                re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', to_idp.text)
            )
            token = fields.pop("csrfmiddlewaretoken", "")
            answer = browser.post(
                "/test-idp/sso",
                data={
                    **fields,
                    "csrfmiddlewaretoken": token,
                    "personal_identity_number": "198511224571",
                    "loa": "http://id.elegnamnden.se/loa/1.0/loa3",
                },
                headers={"Referer": str(to_idp.url)},
            )
            posted = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', answer.text))
            began = time.perf_counter()
            signed_in = browser.post("/saml/acs", data={"SAMLResponse": posted["SAMLResponse"]})
            times.append(time.perf_counter() - began)
            if signed_in.status_code != 302:
                raise SystemExit(f"SAML sign-in failed: {signed_in.status_code}")
    return times


def bankid_report(numbers: list[str], base: str, web_pid: int, simulator_pid: int) -> None:
    """One round of len(numbers) concurrent BankID sign-ins, and its figures."""
    here = os.getpid()
    before = (cpu_seconds(web_pid), cpu_seconds(simulator_pid), cpu_seconds(here))
    busy_before = machine_busy()
    began = time.monotonic()
    browsers = asyncio.run(bankid_round(base, numbers))
    elapsed = time.monotonic() - began
    after = (cpu_seconds(web_pid), cpu_seconds(simulator_pid), cpu_seconds(here))
    busy_after = machine_busy()
    for browser in browsers:
        if browser.outcome == "complete":
            who = signed_in_as(browser)
            browser.outcome = "ok" if who == browser.number else "mixed up"
    outcomes = [b.outcome for b in browsers]
    qr = [t for b in browsers for t in b.qr_times]
    collect = [t for b in browsers for t in b.collect_times]
    print(f"BankID: {len(browsers)} concurrent sign-ins in {elapsed:.1f} s")
    print("  " + describe("QR (GET /eid/bankid/qr), as the browsers waited", qr))
    print(
        "  " + describe("collect (POST /eid/bankid/hamta, with the simulator's collect)", collect)
    )
    for name, kept in (("QR", "qr_server"), ("collect", "collect_server")):
        timings = [t for b in browsers for t in getattr(b, kept)]
        print(
            "  "
            + describe(f"{name} in the application (Server-Timing app)", [w for w, _ in timings])
        )
        print(
            "  "
            + describe(
                f"{name}, the application's CPU (Server-Timing cpu)", [c for _, c in timings]
            )
        )
    ok = outcomes.count("ok")
    print(
        f"  signed in as their own person: {ok}; lost: {outcomes.count('lost')}; mixed up: {outcomes.count('mixed up')}; other: {len(outcomes) - ok - outcomes.count('lost') - outcomes.count('mixed up')}"
    )
    others = sorted({o for o in outcomes if o not in {"ok", "lost", "mixed up"}})
    if others:
        print(f"  other outcomes: {others[:5]}")
    print(
        f"  CPU per sign-in: server {(after[0] - before[0]) / len(browsers) * 1000:.1f} ms, simulator {(after[1] - before[1]) / len(browsers) * 1000:.1f} ms; the browsers and phones here {(after[2] - before[2]) / elapsed:.2f} cores"
    )
    busy = (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1])
    print(f"  the machine's {os.cpu_count()} cores were {busy:.0%} busy (everything on it)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/digigov_bench")
    parser.add_argument(
        "--sign-ins",
        default="200",
        help="concurrent sign-ins; several rounds, one after another, as 50,200",
    )
    parser.add_argument("--saml", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8321)
    parser.add_argument("--simulator-port", type=int, default=8322)
    options = parser.parse_args()
    rounds = [int(count) for count in options.sign_ins.split(",")]

    data_dir = temporary_data_dir()
    env = environment(options.database, data_dir, options.port, options.workers, options.threads)
    env["DIGIGOV_BANKID_SIMULATOR_ADDRESS"] = f"127.0.0.1:{options.simulator_port}"
    env["DIGIGOV_PUBLIC_URL"] = f"http://127.0.0.1:{options.port}"
    fresh_database(options.database)
    run(env, "migrate", "--verbosity", "0")
    run(env, "registers", "generate", "--people", str(max(rounds) + 50))
    numbers = query_column(
        options.database,
        "SELECT personal_identity_number FROM registers_populationrecord ORDER BY id LIMIT %s",
        [max(rounds)],
    )
    simulator_log = Path(tempfile.mkstemp(prefix="digigov-bankid-simulator-", suffix=".log")[1])
    with simulator_log.open("w") as log:
        simulator = subprocess.Popen(
            [*DIGIGOV, "bankid_simulator", "serve"], env=env, cwd=ROOT, stdout=log, stderr=log
        )
    print(f"the simulator's log: {simulator_log}")
    try:
        with server(env) as base:
            wait_for(f"{base}/eid/bankid/")
            web_pid = serve_pid(options.port)
            in_process(env)
            global PHONES
            PHONES = ProcessPoolExecutor(2, initializer=in_process, initargs=(env,))
            for count in rounds:
                bankid_report(numbers[:count], base, web_pid, simulator.pid)
            if options.saml:
                saml_round(base, 5)  # warm: keys, metadata, pysaml2's client
                times = saml_round(base, options.saml)
                print(f"Sweden Connect (SAML): {options.saml} sign-ins one after another")
                print(
                    "  " + describe("POST /saml/acs (the whole request: checks and sign-in)", times)
                )
                with httpx.Client(base_url=base, timeout=30) as browser:
                    answers = [saml_answer(browser) for _ in range(options.saml + 5)]
                processing = saml_processing(env, answers)[5:]
                print("  " + describe("assertion processing (decrypt, verify, map)", processing))
                print(
                    f"  p95 / median: {percentile(processing, 0.95) / statistics.median(processing):.2f}"
                )
    finally:
        stop([simulator])
        cleanup(data_dir)


if __name__ == "__main__":
    main()
