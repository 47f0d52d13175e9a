"""Filling the registers with synthetic data for the demo, tests and benchmarks.

The named people match the test e-ID's test people (README); the rest come
from Faker with a fixed seed, so every installation gets the same registers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from faker import Faker
from stdnum import luhn

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.identifiers import parse_person_identifier
from digigov.core.transactions import action
from digigov.registers import generate
from digigov.registers.models import (
    CompanyRecord,
    CompanySignatory,
    Guardian,
    PopulationRecord,
    PropertyOwner,
    PropertyRecord,
    RegisterAccess,
)

EXEMPELBY = ("9991", "99910", "Exempelby")
PROVSTAD = ("9992", "99920", "Provstad")


@dataclass(frozen=True)
class NamedPerson:
    number: str
    given_name: str
    surname: str
    street: str
    place: tuple[str, str, str]
    household: str
    protected: bool = False
    guardians: tuple[str, ...] = ()


NAMED_PEOPLE = [
    NamedPerson("199003152387", "Anna", "Andersson", "Storgatan 1", EXEMPELBY, "anna"),
    NamedPerson("198511224571", "Erik", "Lindqvist", "Lillgatan 5", EXEMPELBY, "erik"),
    NamedPerson("197206086147", "Fatima", "Hassan", "Parkvägen 12", PROVSTAD, "hassan"),
    NamedPerson("200402291280", "Maja", "Nilsson", "Parkvägen 12", PROVSTAD, "hassan"),
    NamedPerson("192507043327", "Gunnel", "Berg", "Tallvägen 3", PROVSTAD, "gunnel"),
    NamedPerson("199606812056", "Tomasz", "Kowalski", "Järnvägsgatan 8", EXEMPELBY, "tomasz"),
    # skyddad folkbokföring: the address is never given out
    NamedPerson(
        "198807192383", "Leila", "Karimi", "Hemlig adress", EXEMPELBY, "leila", protected=True
    ),
    # a child in Fatima Hassan's household, she its guardian
    NamedPerson(
        "201505122380",
        "Adam",
        "Hassan",
        "Parkvägen 12",
        PROVSTAD,
        "hassan",
        guardians=("197206086147",),
    ),
]
# (designation, municipality, square metres, owners)
NAMED_PROPERTIES = [
    ("Exempelby Björken 1:23", "9991", 1250, ["199003152387"]),
    ("Exempelby Eken 2:8", "9991", 980, ["198511224571"]),
    ("Exempelby Torget 1:1", "9991", 640, ["5566778899"]),
    ("Provstad Tallen 3:4", "9992", 2100, ["192507043327"]),
    ("Provstad Lönnen 4:2", "9992", 1400, ["197206086147", "200402291280"]),
    ("Provstad Verkstaden 2:7", "9992", 4200, ["5599112231"]),
]
# (orgnr, name, legal form, street, place, signatories required, signatories)
NAMED_COMPANIES = [
    (
        "5566778899",
        "Exempelkrogen AB",
        "Aktiebolag",
        "Torget 3",
        EXEMPELBY,
        1,
        [("198511224571", "Erik Lindqvist")],
    ),
    (
        "5599112231",
        "Provstad Bygg och Fastighet AB",
        "Aktiebolag",
        "Industrivägen 10",
        PROVSTAD,
        2,
        [("199003152387", "Anna Andersson"), ("192507043327", "Gunnel Berg")],
    ),
]


def synthetic_number(rng: random.Random, today: dt.date) -> str:
    birth = today - dt.timedelta(days=rng.randint(18 * 365, 90 * 365))
    nine = f"{birth:%y%m%d}{rng.randint(0, 999):03d}"
    return f"{birth:%Y}"[:2] + nine + luhn.calc_check_digit(nine)


@action
def load_synthetic(*, actor: Actor, extra_households: int = 40, seed: int = 2026) -> int:
    """Load the named people, properties and companies, and generated households. Idempotent."""
    for person in NAMED_PEOPLE:
        code, postal_code, city = person.place
        PopulationRecord.objects.update_or_create(
            personal_identity_number=person.number,
            defaults={
                "given_name": person.given_name,
                "surname": person.surname,
                "street": person.street,
                "postal_code": postal_code,
                "city": city,
                "municipality_code": code,
                "household": person.household,
                "date_of_birth": parse_person_identifier(person.number).birth_date,
                "protected_identity": person.protected,
            },
        )
    for person in NAMED_PEOPLE:
        for guardian in person.guardians:
            Guardian.objects.get_or_create(
                child=PopulationRecord.objects.get(personal_identity_number=person.number),
                personal_identity_number=guardian,
            )
    for designation, code, area, owners in NAMED_PROPERTIES:
        unit, _ = PropertyRecord.objects.update_or_create(
            designation=designation,
            defaults={"municipality_code": code, "area_square_metres": area},
        )
        for owner in owners:
            share = "1/1" if len(owners) == 1 else f"1/{len(owners)}"
            PropertyOwner.objects.update_or_create(
                property=unit, owner_identifier=owner, defaults={"share": share}
            )
    for number, name, form, street, place, required, signatories in NAMED_COMPANIES:
        code, postal_code, city = place
        company, _ = CompanyRecord.objects.update_or_create(
            organisation_number=number,
            defaults={
                "name": name,
                "legal_form": form,
                "street": street,
                "postal_code": postal_code,
                "city": city,
                "signatories_required": required,
            },
        )
        for pnr, signatory in signatories:
            CompanySignatory.objects.update_or_create(
                company=company, personal_identity_number=pnr, defaults={"name": signatory}
            )
    created = _generated_households(extra_households, seed)
    audit.record(
        actor=actor,
        action="registers.synthetic_loaded",
        data={"named_people": len(NAMED_PEOPLE), "generated_people": created},
    )
    return PopulationRecord.objects.count()


def _generated_households(count: int, seed: int) -> int:
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    today = dt.date(2026, 1, 1)  # fixed, so the same seed gives the same people
    created = 0
    for index in range(count):
        code, postal_code, city = EXEMPELBY if index % 2 == 0 else PROVSTAD
        street = f"{fake.street_name()} {rng.randint(1, 60)}"
        surname = fake.last_name()
        for _member in range(rng.randint(1, 4)):
            number = synthetic_number(rng, today)
            _, made = PopulationRecord.objects.get_or_create(
                personal_identity_number=number,
                defaults={
                    "given_name": fake.first_name(),
                    "surname": surname,
                    "street": street,
                    "postal_code": postal_code,
                    "city": city,
                    "municipality_code": code,
                    "household": f"generated-{seed}-{index}",
                    "date_of_birth": parse_person_identifier(number).birth_date,
                },
            )
            created += made
    return created


def record_register_access(
    *,
    subjects: list[str],
    register: str,
    client: str,
    client_name: str,
    user_id: str,
    purpose: str,
    message_id: str,
) -> None:
    """The register node told someone about these people: each may see it in their data tracker.

    A record, not a change of the registers, so no audit row of its own: the
    gateways' message logs hold the signed messages.
    """
    now = clock.now()
    RegisterAccess.objects.bulk_create(
        RegisterAccess(
            subject=subject,
            accessed_at=now,
            register=register,
            client=client[:300],
            client_name=client_name[:200],
            user_id=user_id[:100],
            purpose=purpose[:300],
            message_id=message_id[:100],
        )
        for subject in dict.fromkeys(subjects)
        if len(subject) == 12
    )


# -- a population at scale ------------------------------------------------------------------

GENERATE_BATCH = 50_000


@dataclass(frozen=True)
class Generated:
    people: int
    guardians: int


def generate_population(
    *, actor: Actor, count: int, seed: int, progress: Callable[[int], None] | None = None
) -> Generated:
    """Add `count` generated people, in batches of their own transactions, with progress
    (numbers never collide with each other; the seed should differ from earlier runs
    into the same register). On PostgreSQL the rows go in with COPY."""
    made = guardians = 0
    batch: list[tuple[dict[str, object], list[str]]] = []
    for item in generate.people(count, seed):
        batch.append(item)
        if len(batch) >= GENERATE_BATCH:
            guardians += _store(batch)
            made += len(batch)
            batch = []
            if progress:
                progress(made)
    if batch:
        guardians += _store(batch)
        made += len(batch)
        if progress:
            progress(made)
    audit.record(
        actor=actor,
        action="registers.generated",
        data={"people": made, "guardians": guardians, "seed": seed},
    )
    return Generated(made, guardians)


@action
def _store(batch: list[tuple[dict[str, object], list[str]]]) -> int:
    rows = [row for row, _ in batch]
    if connection.vendor == "postgresql":
        table = PopulationRecord._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(generate.COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[column] for column in generate.COLUMNS])
    else:
        PopulationRecord.objects.bulk_create(PopulationRecord(**row) for row in rows)
    wanted = [
        (str(row["personal_identity_number"]), guardians) for row, guardians in batch if guardians
    ]
    if not wanted:
        return 0
    ids = dict(
        PopulationRecord.objects.filter(
            personal_identity_number__in=[number for number, _ in wanted]
        ).values_list("personal_identity_number", "pk")
    )
    links = [
        Guardian(child_id=ids[number], personal_identity_number=guardian)
        for number, guardians in wanted
        for guardian in guardians
    ]
    Guardian.objects.bulk_create(links)
    return len(links)
