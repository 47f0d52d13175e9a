"""Benchmark: complete applications submitted from concurrent clients, and service search.

Targets (issue 3): >= 100 completed submissions per second with p95 <= 300 ms,
and service search p95 <= 50 ms with 500 installed services, on PostgreSQL.

    python bench/submissions.py [--clients 16] [--per-client 40] [--database URL]

It makes a fresh database, loads the demo data, starts `digigov serve`, signs
every client in through the test e-ID's OIDC flow, and then, in one run:

1. prepares applications through the API (create, answers, one small PDF),
2. submits them all concurrently (the submission request alone),
3. runs the whole path again per application (create, answers, attachment,
   submit) as one "completed submission",
4. installs services up to 500 and measures search through the API and the page.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

PDF = b"%PDF-1.4\n% drawing\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"0" * 2048
ANSWERS = {
    "ar_agare": True,
    "atgard": "rivning",
    "byggnadstyp": "komplementbyggnad",
    "beskrivning": "Riva ett förfallet förråd på tomtens norra del.",
    "fastighetsbeteckning": "Exempelby Björken 1:23",
    "epost": "bench@exempel.se",
}
SEARCHES = ["bygga garage", "försörjningsstöd", "servera öl", "tillstånd", "hyra bostad", "rivning"]


def async_client(client: httpx.Client, limits: httpx.Limits) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=str(client.base_url),
        cookies=client.cookies,
        headers={"X-CSRFToken": client.cookies["csrftoken"]},
        timeout=60,
        limits=limits,
    )


async def timed(latencies: list[float], call) -> httpx.Response:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = await call
    latencies.append(time.perf_counter() - started)
    return response


async def prepare(client: httpx.AsyncClient, latencies: list[float]) -> str:
    created = await timed(latencies, client.post(
        "/api/applications", json={"organisation": "exempelby", "service": "BYGGLOV"}
    ))  # fmt: skip
    created.raise_for_status()
    application = created.json()
    url = f"/api/applications/{application['id']}"
    saved = await timed(latencies, client.patch(url, json={"answers": ANSWERS}))
    saved.raise_for_status()
    uploaded = await timed(latencies, client.post(
        f"{url}/attachments/situationsplan", files={"file": ("situationsplan.pdf", PDF, "application/pdf")}
    ))  # fmt: skip
    uploaded.raise_for_status()
    return str(application["id"])


async def submit(client: httpx.AsyncClient, application_id: str, latencies: list[float]) -> str:
    response = await timed(latencies, client.post(f"/api/applications/{application_id}/submit"))
    response.raise_for_status()
    return str(response.json()["registrar_number"])


async def client_loop(client: httpx.AsyncClient, jobs, latencies, work):  # type: ignore[no-untyped-def]
    results = []
    for job in jobs:
        results.append(await work(client, job, latencies))
    return results


async def measure_submissions(signed_in: list[httpx.Client], per_client: int) -> None:
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    clients = [async_client(c, limits) for c in signed_in]
    try:
        # 0. a reference in the same run: the lightest signed-in request there is
        me_latencies: list[float] = []

        async def who_am_i(client: httpx.AsyncClient, _job: int, latencies: list[float]) -> None:
            (await timed(latencies, client.get("/api/me"))).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(
            *(client_loop(c, range(per_client), me_latencies, who_am_i) for c in clients)
        )
        elapsed = time.perf_counter() - started
        reference_rate = len(me_latencies) / elapsed
        print(f"reference GET /api/me: {reference_rate:.0f} requests/s")
        print("  " + common.describe("GET /api/me", me_latencies))

        # 1. prepare
        prepare_latencies: list[float] = []
        started = time.perf_counter()
        prepared = await asyncio.gather(
            *(
                client_loop(
                    c, range(per_client), prepare_latencies, lambda cl, _j, lat: prepare(cl, lat)
                )
                for c in clients
            )
        )
        elapsed = time.perf_counter() - started
        total = sum(len(p) for p in prepared)
        print(
            f"prepared {total} applications in {elapsed:.1f} s ({3 * total / elapsed:.0f} requests/s)"
        )
        print("  " + common.describe("create/answers/attachment requests", prepare_latencies))

        # 2. submit concurrently
        submit_latencies: list[float] = []
        cpu_started = time.process_time()
        started = time.perf_counter()
        numbers = await asyncio.gather(
            *(
                client_loop(c, ids, submit_latencies, submit)
                for c, ids in zip(clients, prepared, strict=True)
            )
        )
        elapsed = time.perf_counter() - started
        flat = [n for group in numbers for n in group]
        print(f"submitted {len(flat)} applications from {len(clients)} clients in {elapsed:.2f} s: "
              f"{len(flat) / elapsed:.0f} submissions/s")  # fmt: skip
        print("  " + common.describe("submit requests", submit_latencies))
        print(
            f"  the load generator itself used {(time.process_time() - cpu_started) / elapsed:.2f} "
            "of a core meanwhile"
        )
        print(
            f"  submissions per second as a share of the reference rate: {len(flat) / elapsed / reference_rate:.2f}"
        )
        unique = {n.rsplit("/", 1)[-1] for n in flat}
        numbers_sorted = sorted(int(n) for n in unique)
        gapless = numbers_sorted == list(
            range(numbers_sorted[0], numbers_sorted[0] + len(numbers_sorted))
        )
        print(f"  registrar numbers: {len(flat)} given, {len(unique)} distinct, gapless={gapless}")

        # 3. the whole path as one completed submission
        path_latencies: list[float] = []
        request_latencies: list[float] = []

        async def whole(client: httpx.AsyncClient, _job: int, latencies: list[float]) -> str:
            started = time.perf_counter()
            application_id = await prepare(client, request_latencies)
            number = await submit(client, application_id, request_latencies)
            latencies.append(time.perf_counter() - started)
            return number

        started = time.perf_counter()
        done = await asyncio.gather(
            *(client_loop(c, range(per_client // 2), path_latencies, whole) for c in clients)
        )
        elapsed = time.perf_counter() - started
        count = sum(len(d) for d in done)
        print(f"whole path (create, answers, attachment, submit): {count} in {elapsed:.2f} s: "
              f"{count / elapsed:.0f} completed submissions/s")  # fmt: skip
        print("  " + common.describe("whole path per application", path_latencies))
        print("  " + common.describe("its requests", request_latencies))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


def install_services_up_to(env: dict[str, str], total: int) -> int:
    """Install synthetic variants of the shipped packages until `total` services are current."""
    os.environ.update(env)
    import django

    django.setup()
    from stdnum import luhn

    from digigov.core.actions import save_organisation
    from digigov.core.actors import Actor
    from digigov.services import actions, package
    from digigov.services.models import ServiceVersion

    actor = Actor.system("bench")
    specs = [package.load(folder).spec for folder in package.built_in_packages()]
    current = ServiceVersion.objects.filter(is_current=True).count()
    n = 0
    while current < total:
        nine = f"2120{n:05d}"
        organisation = save_organisation(
            actor=actor, slug=f"bench-{n}", name=f"Benchkommun {n}", kind="kommun",
            organisation_number=nine + luhn.calc_check_digit(nine), municipality_code=f"{8000 + n}",
        )  # fmt: skip
        for index, spec in enumerate(specs):
            for variant in range(2):
                if current >= total:
                    break
                code = f"{spec.code}_{variant}" if variant else spec.code
                words = {
                    "sv": [*spec.search_words["sv"], f"variant{index}{variant}"],
                    "en": spec.search_words["en"],
                }
                actions.install_package(
                    actor=actor,
                    organisation=organisation,
                    spec=spec.model_copy(update={"code": code[:32], "search_words": words}),
                )
                current += 1
        n += 1
    return ServiceVersion.objects.filter(is_current=True).count()


async def _search_worker(
    client: httpx.AsyncClient, path: str, worker_id: int, rounds: int, latencies: list[float]
) -> None:
    for i in range(rounds):
        query = SEARCHES[(worker_id + i) % len(SEARCHES)]
        response = await timed(latencies, client.get(path, params={"q": query}))
        response.raise_for_status()


async def measure_search(base: str, rounds: int, concurrency: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for label, path in [
            ("API /api/services?q=", "/api/services"),
            ("page /e-tjanster/?q=", "/e-tjanster/"),
        ]:
            latencies: list[float] = []
            started = time.perf_counter()
            await asyncio.gather(
                *(_search_worker(client, path, w, rounds, latencies) for w in range(concurrency))
            )
            elapsed = time.perf_counter() - started
            print(
                f"search {label}: {len(latencies) / elapsed:.0f} requests/s at concurrency {concurrency}"
            )
            print("  " + common.describe("search", latencies))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/digigov_bench")
    arguments = parser.parse_args()

    data_dir = common.temporary_data_dir()
    env = common.environment(
        arguments.database, data_dir, arguments.port, arguments.workers, arguments.threads
    )
    try:
        print(f"fresh database {arguments.database}; loading demo data ...")
        common.fresh_database(arguments.database)
        common.run(env, "migrate", "-v0")
        common.run(env, "load_demo")
        with common.server(env) as base:
            print(
                f"server: digigov serve on {base} with {arguments.workers} workers "
                f"x {arguments.threads} threads"
            )
            print(f"signing in {arguments.clients} clients through the test e-ID (OIDC) ...")
            signed_in = [
                common.sign_in(base, common.synthetic_personnummer(n))
                for n in range(arguments.clients)
            ]
            asyncio.run(measure_submissions(signed_in, arguments.per_client))
            for client in signed_in:
                client.close()
            installed = install_services_up_to(env, arguments.services)
            print(f"services installed and current: {installed}")
            asyncio.run(measure_search(base, rounds=50, concurrency=1))
            asyncio.run(measure_search(base, rounds=50, concurrency=8))
    finally:
        common.cleanup(data_dir)


if __name__ == "__main__":
    main()
