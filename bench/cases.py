"""Benchmark: case handling at one million cases across five organisations, on PostgreSQL.

Targets (issue 4): the case-worker queue page (filtered, 50 rows) p95 <= 100 ms;
the case page p95 <= 100 ms; a resident's list of their cases p95 <= 50 ms;
registrar numbers >= 500 per second from 16 concurrent writers with zero
duplicates and zero gaps.

    python bench/cases.py [--cases 1000000] [--rounds 200] [--database URL]

It makes a fresh database with the demo data and three more municipalities,
builds the cases in PostgreSQL with progress output (applications, cases,
their first document and events; a fifth still open, the rest decided),
starts `digigov serve`, signs in a case worker through the staff sign-in and
a resident through the test e-ID, and measures the pages over HTTP. Registrar
numbers are taken by 16 threads, each with its own database connection,
through the same function a submission uses (cases.actions.next_registrar_number).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

ANNA = "199003152387"  # a demo person; the resident whose list is measured
ANNA_CASES = 50
PEOPLE = 200_000
BATCH = 50_000
PASSWORD = "demo-losenord-2026"  # noqa: S105 - the demo's published password

# Three more municipalities, so five share the million cases (the demo's agency
# offers none of the shipped services).
SETUP = """
from digigov.core import actions as core_actions
from digigov.core.actors import Actor
from digigov.identity import actions as identity_actions
from digigov.services import actions as service_actions, package
actor = Actor.system("bench")
for slug, name, number, code in [
    ("bankeby", "Bänkeby kommun", "212000-9978", "9993"),
    ("matstad", "Mätstad kommun", "212000-9960", "9994"),
    ("provby", "Provby kommun", "212000-9952", "9995"),
]:
    organisation = core_actions.save_organisation(
        actor=actor, slug=slug, name=name, kind="kommun", organisation_number=number,
        municipality_code=code,
    )
    for folder in package.built_in_packages():
        spec = package.load(folder).spec
        if "kommun" in spec.offered_by:
            service_actions.install_package(actor=actor, organisation=organisation, spec=spec)
    identity_actions.save_staff_account(
        actor=actor, username=f"hl-{slug}", password=PASSWORD, first_name="Bänk",
        last_name=name, roles=[(organisation, "handlaggare")],
    )
"""

REGISTRAR = """
import json, threading, time
from django.db import connection, transaction
from digigov.cases.actions import next_registrar_number
from digigov.core.models import Organisation
organisation = Organisation.objects.get(slug="exempelby")
taken, errors = [], []
lock = threading.Lock()
start = threading.Barrier(WRITERS + 1)

def writer():
    start.wait()
    try:
        for _ in range(PER_WRITER):
            with transaction.atomic():
                number = next_registrar_number(organisation.pk, "RB", 2026)
            with lock:
                taken.append(number)
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
for thread in threads:
    thread.start()
start.wait()
began = time.perf_counter()
for thread in threads:
    thread.join()
elapsed = time.perf_counter() - began
print("RESULT " + json.dumps({"taken": taken, "seconds": elapsed, "errors": errors}))
"""


def build_cases(database: str, total: int) -> None:
    """Applications, cases, documents and events, built set-wise in PostgreSQL."""
    import psycopg

    with psycopg.connect(database, autocommit=True) as db:
        versions = db.execute(
            """SELECT o.id, v.id, v.code, v.spec->'process'->>'registrar_series'
               FROM core_organisation o JOIN services_serviceversion v ON v.organisation_id = o.id
               WHERE v.is_current ORDER BY o.id, v.code"""
        ).fetchall()
        workers = dict(
            db.execute(
                """SELECT m.organisation_id, array_agg(m.user_id) FROM identity_staffmembership m
                   WHERE m.role = 'handlaggare' GROUP BY m.organisation_id"""
            ).fetchall()
        )
        db.execute(
            "CREATE TEMP TABLE bench_version (slot int, organisation_id bigint, version_id bigint,"
            " code text, series text, worker bigint)"
        )
        for slot, (organisation_id, version_id, code, series) in enumerate(versions):
            worker = (workers.get(organisation_id) or [None])[0]
            db.execute(
                "INSERT INTO bench_version VALUES (%s, %s, %s, %s, %s, %s)",
                [slot, organisation_id, version_id, code, series, worker],
            )
        print(
            f"{len(versions)} installed services across {len({v[0] for v in versions})} organisations"
        )
        db.execute("CREATE TEMP TABLE bench_person (n int PRIMARY KEY, pnr text)")
        with db.cursor().copy("COPY bench_person (n, pnr) FROM STDIN") as copy:
            for n in range(PEOPLE):
                copy.write_row([n, ANNA if n == 0 else common.synthetic_personnummer(n + 1000)])
        slots = len(versions)
        # after the demo's own cases
        row = db.execute("SELECT coalesce(max(id), 0) FROM cases_application").fetchone()
        offset = int(row[0]) if row else 0
        started = time.perf_counter()
        for low in range(1, total + 1, BATCH):
            high = min(total, low + BATCH - 1)
            span = {"low": low + offset, "high": high + offset}
            db.execute(
                APPLICATIONS,
                {**span, "slots": slots, "people": PEOPLE, "anna": offset + ANNA_CASES},
            )
            db.execute(CASES, span)
            db.execute(DOCUMENTS, span)
            db.execute(EVENTS, span)
            rate = high / (time.perf_counter() - started)
            print(f"  {high:>9,} cases built ({rate:,.0f} a second)", flush=True)
        db.execute(COUNTERS)
        print("analysing ...", flush=True)
        db.execute("ANALYZE")


# Case i: organisation and service by slot, person by a spread of i (the first
# ones are Anna's), opened over the last three years, a fifth still open.
APPLICATIONS = """
INSERT INTO cases_application (id, organisation_id, public_id, service_version_id, applicant_kind,
    applicant_identifier, applicant_name, submitted_by, answers, status, revision, created_at,
    updated_at, submitted_at, submitted_loa, reference)
SELECT g.i, v.organisation_id, md5('a' || g.i)::uuid, v.version_id, 'person', p.pnr,
    'Person ' || p.n, p.pnr, '{"beskrivning": "Benchmark"}'::jsonb, 'submitted', 1, t.opened,
    t.opened, t.opened, 'http://id.elegnamnden.se/loa/1.0/loa3', 'B-' || g.i
FROM generate_series(%(low)s::int, %(high)s::int) AS g(i)
JOIN bench_version v ON v.slot = g.i %% %(slots)s
JOIN bench_person p ON p.n = CASE WHEN g.i <= %(anna)s THEN 0
    ELSE 1 + (g.i::bigint * 7919) %% (%(people)s - 1) END
CROSS JOIN LATERAL (SELECT now() - ((g.i * 2654435761::bigint) %% (3 * 365 * 86400)) * interval '1 second' AS opened) t
"""

CASES = """
INSERT INTO cases_case (id, organisation_id, public_id, application_id, service_version_id,
    service_code, series, year, number, registrar_number, state, resident_must_act, finished,
    applicant_kind, applicant_identifier, applicant_name, submitted_by, secret, opened_at,
    assigned_to_id, clock_started_on, deadline, clock_paused, extended_days, extension_reason,
    decided_at, closed_at, revision)
SELECT a.id, a.organisation_id, md5('c' || a.id)::uuid, a.id, a.service_version_id, v.code,
    v.series, extract(year FROM a.submitted_at)::int, a.id, v.series || ' '
    || extract(year FROM a.submitted_at)::int || '/' || lpad(a.id::text, 7, '0'),
    s.state, s.state = 'vantar_komplettering', s.finished, 'person', a.applicant_identifier,
    a.applicant_name, a.submitted_by, v.code = 'EKONOMISKT_BISTAND', a.submitted_at,
    CASE WHEN (a.id / 7) %% 3 = 0 THEN NULL ELSE v.worker END, a.submitted_at::date,
    (a.submitted_at + interval '70 days')::date, s.state = 'vantar_komplettering', 0, '',
    CASE WHEN s.finished THEN a.submitted_at + interval '40 days' END, NULL, 1
FROM cases_application a
JOIN bench_version v ON v.version_id = a.service_version_id
CROSS JOIN LATERAL (SELECT (a.id / 17) AS k) h
CROSS JOIN LATERAL (SELECT CASE
    WHEN h.k %% 5 <> 0 THEN 'beslutad'
    WHEN h.k %% 3 = 0 THEN 'inkommen'
    WHEN h.k %% 7 = 0 THEN 'vantar_komplettering'
    ELSE (SELECT s->>'id' FROM jsonb_array_elements(
        (SELECT spec->'process'->'states' FROM services_serviceversion WHERE id = a.service_version_id)
    ) s OFFSET 1 LIMIT 1) END AS state, h.k %% 5 <> 0 AS finished) s
WHERE a.id BETWEEN %(low)s AND %(high)s
"""

DOCUMENTS = """
INSERT INTO cases_document (organisation_id, case_id, sequence, kind, registered_at, direction,
    counterpart, title, secrecy_ground, text, storage_name, content_type, size, sha256)
SELECT c.organisation_id, c.id, 1, 'application', c.opened_at, 'in', c.applicant_name,
    'Ansökan ' || c.registrar_number, CASE WHEN c.secret THEN 'OSL 26 kap. 1 §' ELSE '' END,
    '', '', '', 0, ''
FROM cases_case c WHERE c.id BETWEEN %(low)s AND %(high)s
"""

EVENTS = """
INSERT INTO cases_caseevent (organisation_id, case_id, event_type, occurred_at, actor,
    resident_must_act, finished, data)
SELECT c.organisation_id, c.id, upper(o.slug) || '.' || c.service_code || '.INKOMMEN', c.opened_at,
    'person:' || c.submitted_by, false, false, jsonb_build_object('state', 'inkommen')
FROM cases_case c JOIN core_organisation o ON o.id = c.organisation_id
WHERE c.id BETWEEN %(low)s AND %(high)s
UNION ALL
SELECT c.organisation_id, c.id, upper(o.slug) || '.' || c.service_code || '.' || upper(c.state),
    c.opened_at + interval '1 day', 'staff:bench', c.resident_must_act, c.finished,
    jsonb_build_object('state', c.state)
FROM cases_case c JOIN core_organisation o ON o.id = c.organisation_id
WHERE c.id BETWEEN %(low)s AND %(high)s AND c.state <> 'inkommen'
"""

# New submissions go on from the highest number built; ids go on from the highest id.
COUNTERS = """
INSERT INTO cases_registrarcounter (organisation_id, series, year, last_number)
SELECT organisation_id, series, year, max(number) FROM cases_case GROUP BY 1, 2, 3
ON CONFLICT (organisation_id, series, year) DO UPDATE SET last_number = EXCLUDED.last_number;
SELECT setval(pg_get_serial_sequence('cases_application', 'id'), (SELECT max(id) FROM cases_application));
SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case));
"""


def staff_client(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    client.get("/personal/logga-in/")
    signed_in = client.post(
        "/personal/logga-in/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/personal/logga-in/"},
    )
    if signed_in.status_code != 302:
        raise SystemExit(f"staff sign-in failed for {username}: {signed_in.status_code}")
    return client


async def measure(
    base: str, cookies: httpx.Cookies, urls: list[str], concurrency: int
) -> list[float]:
    latencies: list[float] = []
    queue = list(urls)

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            url = queue.pop()
            started = time.perf_counter()
            response = await client.get(url)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")

    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies


def report(name: str, base: str, cookies: httpx.Cookies, urls: list[str], target_ms: float) -> None:
    asyncio.run(measure(base, cookies, urls[:10], 1))  # warm the server's caches
    for concurrency in (1, 4):
        latencies = asyncio.run(measure(base, cookies, urls, concurrency))
        p95 = common.percentile(latencies, 0.95) * 1000
        verdict = "meets" if p95 <= target_ms else "MISSES"
        print(
            f"  {common.describe(name, latencies)} at concurrency {concurrency}: {verdict} p95 <= {target_ms:.0f} ms"
        )


def registrar_numbers(env: dict[str, str], writers: int, per_writer: int) -> None:
    code = REGISTRAR.replace("WRITERS", str(writers)).replace("PER_WRITER", str(per_writer))
    finished = common.capture(env, "shell", "-c", code)
    result = json.loads(finished.split("RESULT ", 1)[1])
    taken = sorted(result["taken"])
    expected = writers * per_writer
    duplicates = len(taken) - len(set(taken))
    gaps = (taken[-1] - taken[0] + 1 - len(set(taken))) if taken else expected
    rate = len(taken) / result["seconds"]
    verdict = (
        "meets"
        if rate >= 500 and not duplicates and not gaps and len(taken) == expected
        else "MISSES"
    )
    print(
        f"registrar numbers: {len(taken)} of {expected} from {writers} writers in {result['seconds']:.2f} s: "
        f"{rate:,.0f} a second, {duplicates} duplicates, {gaps} gaps, {len(result['errors'])} errors: "
        f"{verdict} >= 500/s with none"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/digigov_bench_cases"
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database if it has the cases"
    )
    arguments = parser.parse_args()

    data_dir = common.temporary_data_dir()
    env = common.environment(
        arguments.database, data_dir, arguments.port, arguments.workers, threads=2
    )
    try:
        if not (
            arguments.keep
            and common.has_table_rows(arguments.database, "cases_case", arguments.cases)
        ):
            common.fresh_database(arguments.database)
            common.run(env, "migrate", "-v0")
            common.run(env, "load_demo")
            common.run(env, "shell", "-c", f"PASSWORD = {PASSWORD!r}\n" + SETUP)
            print(f"building {arguments.cases:,} cases ...", flush=True)
            started = time.perf_counter()
            build_cases(arguments.database, arguments.cases)
            print(f"built in {time.perf_counter() - started:.0f} s")
        registrar_numbers(env, arguments.writers, per_writer=200)
        with common.server(env) as base:
            me = common.sign_in(base, ANNA)
            worker = staff_client(base, "handlaggare")
            reference = asyncio.run(measure(base, me.cookies, ["/api/me"] * arguments.rounds, 1))
            print(f"reference: {common.describe('GET /api/me', reference)}")
            filters = [
                "",
                "&state=under_handlaggning",
                "&service=BYGGLOV",
                "&assigned=none",
                "&assigned=me",
                "&due=late",
                "&due=near",
                "&due=finished",
                "&sida=5",
                "&service=SERVERINGSTILLSTAND&state=inkommen",
            ]
            queue_urls = [
                f"/arbetsyta/?organisation=exempelby{filters[n % len(filters)]}"
                for n in range(arguments.rounds)
            ]
            report("queue page, filtered, 50 rows", base, worker.cookies, queue_urls, 100)
            case_ids = common.query_column(
                arguments.database,
                "SELECT c.public_id::text FROM cases_case c JOIN core_organisation o ON o.id = c.organisation_id"
                " WHERE o.slug = 'exempelby' ORDER BY random() LIMIT %s",
                [arguments.rounds],
            )
            report(
                "case page",
                base,
                worker.cookies,
                [f"/arbetsyta/arenden/{i}/" for i in case_ids],
                100,
            )
            print(f"resident: {ANNA} has {ANNA_CASES + 2} cases (two from the demo)")
            report(
                "resident's list of cases (Mina sidor)",
                base,
                me.cookies,
                ["/mina-sidor/"] * arguments.rounds,
                50,
            )
            random.shuffle(case_ids)
            report(
                "resident's case page",
                base,
                me.cookies,
                [
                    f"/mina-sidor/arenden/{i}/"
                    for i in common.query_column(
                        arguments.database,
                        "SELECT public_id::text FROM cases_case WHERE applicant_identifier = %s",
                        [ANNA],
                    )
                ]
                * (arguments.rounds // ANNA_CASES + 1),
                100,
            )
    finally:
        common.cleanup(data_dir)


if __name__ == "__main__":
    main()
