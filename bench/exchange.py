"""Benchmark: the exchange against a direct call, and a population lookup in ten million people.

Targets (issue 5): throughput through the exchange >= 50% of direct, added
median latency <= 5 ms, >= 500 messages per second, with 32 concurrent clients
on this 2-core machine; a population lookup in a 10-million-person register
p95 <= 10 ms at the provider.

    python bench/exchange.py [--people 10000000] [--requests 6000] [--database URL]

It makes a fresh PostgreSQL database, sets up a registry, two members and their
gateways (`digigov exchange here`), generates the population
(`digigov registers generate`, with progress), and starts: a trivial provider
(a fixed JSON answer), each gateway in its own process (`digigov gateway`),
and the web server for the register node (`digigov serve`). Then, in one run
and alternating, 32 concurrent clients call the provider directly and through
gateway A -> gateway B -> provider (signed, logged on both sides, access
checked); and the population register is asked for random people.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

INSTANCE = "SE-BENCH"
CONSUMER = f"{INSTANCE}/MUN/2120009994"
PROVIDER = f"{INSTANCE}/GOV/2021009978"

SETUP = """
from digigov.core.actors import Actor
from digigov.exchange import actions
from digigov.exchange.identifiers import ClientId
actor = Actor.system("bench")
registry = actions.init_registry(actor=actor, instance="SE-BENCH")
consumer = actions.save_member(actor=actor, member_class="MUN", member_code="2120009994", name="Exempelby kommun")
provider = actions.save_member(actor=actor, member_class="GOV", member_code="2021009978", name="Registerverket")
asker = actions.add_subsystem(actor=actor, member=consumer, code="arenden")
register = actions.add_subsystem(actor=actor, member=provider, code="register")
for code, url in (("echo", ECHO_URL), ("folkbokforing", REGISTER_URL)):
    service = actions.register_service(actor=actor, subsystem=register, code=code)
    actions.grant_access(actor=actor, service=service, client=asker, method="GET")
    local = actions.save_local_service(actor=actor, provider=ClientId.parse("SE-BENCH/GOV/2021009978/register"), code=code, base_url=url)
    if code == "folkbokforing":
        print("TOKEN " + local.token)
for member, (client_port, server_port) in ((consumer, CONSUMER_PORTS), (provider, PROVIDER_PORTS)):
    actions.run_gateway_here(actor=actor, member=member, code="gw1", host="127.0.0.1", client_port=client_port, server_port=server_port)
actions.install_anchor(actor=actor, instance="SE-BENCH", certificate_pem=registry.configuration_certificate_pem)
actions.accept_configuration(actor=actor, signed=actions.publish_configuration(actor=actor).signed)
"""

PROVIDER_SCRIPT = """
import asyncio, json, sys
from digigov.exchange import http

BODY = json.dumps({"personnummer": "199003152387", "fornamn": "Anna", "efternamn": "Andersson"}).encode()

async def answer(request):
    return http.Response(200, BODY, {"content-type": "application/json"})

async def main():
    await http.start(answer, "127.0.0.1", int(sys.argv[1]))
    await asyncio.Event().wait()

asyncio.run(main())
"""


async def load(
    url: str, headers: dict[str, str], requests: int, concurrency: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    remaining = requests
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            response = await client.get(url, headers=headers)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}: {response.text[:300]}")

    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        began = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return len(latencies) / elapsed, latencies


def parse_duration(text: str) -> float:
    """wrk's '1.23ms' / '850.00us' / '1.02s' as seconds."""
    for suffix, scale in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * scale
    raise ValueError(text)


def wrk(
    url: str, headers: dict[str, str], seconds: int, concurrency: int
) -> tuple[float, float, float]:
    """Requests a second, median and p99 latency (s) from wrk, a load generator in C."""
    command = ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    printed = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in printed:
        raise SystemExit(f"wrk saw errors from {url}:\n{printed}")
    rate = float(
        next(line for line in printed.splitlines() if line.startswith("Requests/sec:")).split()[1]
    )
    percentiles = {}
    for line in printed.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in {"50%", "99%"}:
            percentiles[parts[0]] = parse_duration(parts[1])
    return rate, percentiles["50%"], percentiles["99%"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/digigov_bench_exchange"
    )
    parser.add_argument("--people", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8125)
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database if it has the people"
    )
    arguments = parser.parse_args()

    echo_port, consumer_ports, provider_ports = 8700, (8701, 8702), (8703, 8704)
    data_dir = common.temporary_data_dir()
    env = common.environment(arguments.database, data_dir, arguments.port, workers=2, threads=2)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        if not (
            arguments.keep
            and common.has_table_rows(
                arguments.database, "registers_populationrecord", arguments.people
            )
        ):
            common.fresh_database(arguments.database)
            common.run(env, "migrate", "-v0")
            setup = (
                SETUP.replace("ECHO_URL", repr(f"http://127.0.0.1:{echo_port}/echo"))
                .replace(
                    "REGISTER_URL",
                    repr(f"http://127.0.0.1:{arguments.port}/register/api/folkbokforing"),
                )
                .replace("CONSUMER_PORTS", repr(consumer_ports))
                .replace("PROVIDER_PORTS", repr(provider_ports))
            )
            common.capture(env, "shell", "-c", setup)
            print(f"generating {arguments.people:,} people ...", flush=True)
            common.run(
                env, "registers", "generate", "--people", str(arguments.people), "--seed", "1"
            )
            common.run(
                env,
                "shell",
                "-c",
                "from django.db import connection; connection.cursor().execute('ANALYZE')",
            )
        common.run(env, "migrate", "-v0")  # a kept database may predate a migration
        token = common.query_column(
            arguments.database,
            "SELECT token FROM exchange_localservice WHERE code = %s",
            ["folkbokforing"],
        )[0]
        processes.append(
            subprocess.Popen([sys.executable, "-c", PROVIDER_SCRIPT, str(echo_port)], env=env)
        )
        for member in (CONSUMER, PROVIDER):
            processes.append(
                subprocess.Popen(
                    [*common.DIGIGOV, "gateway", "--member", member], env=env, cwd=common.ROOT
                )
            )
        with common.server(env) as base:
            direct = f"http://127.0.0.1:{echo_port}/echo/personer/199003152387"
            through = f"http://127.0.0.1:{consumer_ports[0]}/r1/{PROVIDER}/register/echo/personer/199003152387"
            headers = {"X-Road-Client": f"{CONSUMER}/arenden", "X-Road-Issue": "bench"}
            common.wait_for(direct)
            common.wait_for(f"http://127.0.0.1:{consumer_ports[0]}/health")
            common.wait_for(f"http://127.0.0.1:{provider_ports[0]}/health")
            asyncio.run(load(through, headers, 200, 8))  # warm up: TLS sessions, caches
            asyncio.run(load(direct, {}, 200, 8))
            rates: dict[str, list[float]] = {"direct": [], "exchange": []}
            medians: dict[str, list[float]] = {"direct": [], "exchange": []}
            if shutil.which("wrk"):
                print(
                    f"wrk: {arguments.concurrency} connections, {arguments.seconds} s a round, {arguments.rounds} rounds, alternating"
                )
                for round_number in range(arguments.rounds):
                    for name, url, sent in (("direct", direct, {}), ("exchange", through, headers)):
                        rate, median, p99 = wrk(url, sent, arguments.seconds, arguments.concurrency)
                        rates[name].append(rate)
                        medians[name].append(median * 1000)
                        print(
                            f"  round {round_number + 1} {name:8}: {rate:7,.0f} requests/s  median={median * 1000:.1f} ms p99={p99 * 1000:.1f} ms"
                        )
            else:
                print(
                    "(wrk is not installed, `apt-get install wrk`; measuring with httpx, which limits the rates)"
                )
                for round_number in range(arguments.rounds):
                    for name, url, sent in (("direct", direct, {}), ("exchange", through, headers)):
                        rate, latencies = asyncio.run(
                            load(url, sent, arguments.requests, arguments.concurrency)
                        )
                        rates[name].append(rate)
                        medians[name].append(statistics.median(latencies) * 1000)
                        print(
                            f"  round {round_number + 1} {name:8}: {rate:7,.0f} requests/s  {common.describe('latency', latencies)}"
                        )
            direct_rate, exchange_rate = (
                statistics.median(rates["direct"]),
                statistics.median(rates["exchange"]),
            )
            added = statistics.median(medians["exchange"]) - statistics.median(medians["direct"])
            print(
                f"median throughput: direct {direct_rate:,.0f}/s, through the exchange {exchange_rate:,.0f}/s"
            )
            print(
                f"  exchange as a share of direct: {exchange_rate / direct_rate:.0%} (target >= 50%)"
            )
            print(
                f"  messages per second through the exchange: {exchange_rate:,.0f} (target >= 500)"
            )
            print(
                f"  added median latency at {arguments.concurrency} connections: {added:.1f} ms (target <= 5 ms)"
            )
            single_direct = asyncio.run(load(direct, {}, 500, 1))[1]
            single_through = asyncio.run(load(through, headers, 500, 1))[1]
            added_single = (
                statistics.median(single_through) - statistics.median(single_direct)
            ) * 1000
            print(f"  added median latency for one client alone: {added_single:.1f} ms")

            numbers = common.query_column(
                arguments.database,
                # a sample of pages large enough for the lookups, whatever the register's size
                "SELECT personal_identity_number FROM registers_populationrecord"
                " TABLESAMPLE SYSTEM (%s) LIMIT %s",
                [min(100.0, 500.0 * arguments.lookups / arguments.people), arguments.lookups],
            )
            people = common.query_column(
                arguments.database, "SELECT count(*)::text FROM registers_populationrecord", []
            )[0]
            token_headers = {
                "X-Digigov-Gateway-Token": token,
                "X-Road-Client": f"{CONSUMER}/arenden",
                "X-Road-Issue": "bench",
            }
            lookups = [f"{base}/register/api/folkbokforing/personer/{n}" for n in numbers]

            async def lookup_all(concurrency: int) -> list[float]:
                latencies: list[float] = []
                queue = list(lookups)
                async with httpx.AsyncClient(timeout=60) as client:

                    async def worker() -> None:
                        while queue:
                            url = queue.pop()
                            started = time.perf_counter()
                            response = await client.get(url, headers=token_headers)
                            latencies.append(time.perf_counter() - started)
                            if response.status_code != 200:
                                raise SystemExit(f"lookup answered {response.status_code}")

                    await asyncio.gather(*(worker() for _ in range(concurrency)))
                return latencies

            print(
                f"population register: {int(people):,} people; {len(lookups)} random lookups at the provider"
            )
            for concurrency in (1, 4):
                latencies = asyncio.run(lookup_all(concurrency))
                p95 = common.percentile(latencies, 0.95) * 1000
                print(
                    f"  {common.describe('lookup', latencies)} at concurrency {concurrency}: {'meets' if p95 <= 10 else 'MISSES'} p95 <= 10 ms"
                )
            through_lookups = [
                f"http://127.0.0.1:{consumer_ports[0]}/r1/{PROVIDER}/register/folkbokforing/personer/{n}"
                for n in numbers[:500]
            ]
            latencies = []
            with httpx.Client(timeout=60) as client:
                for url in through_lookups:
                    started = time.perf_counter()
                    answer = client.get(url, headers=headers)
                    latencies.append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        raise SystemExit(
                            f"lookup through the exchange answered {answer.status_code}: {answer.text[:200]}"
                        )
            print(
                f"  {common.describe('lookup through the exchange, end to end', latencies)} at concurrency 1"
            )
            checked = common.capture(env, "exchange", "verify-log")
            print(f"message log: {checked.strip()}")
    finally:
        common.stop(processes)
        common.cleanup(data_dir)


if __name__ == "__main__":
    main()
