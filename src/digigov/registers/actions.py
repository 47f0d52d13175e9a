"""Filling the registers with synthetic data for the demo, tests and benchmarks.

The named people match the test e-ID's test people (README); the rest come
from Faker with a fixed seed, so every installation gets the same registers.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from faker import Faker
from stdnum import luhn

from digigov.core import audit
from digigov.core.actors import Actor
from digigov.registers.models import (
    CompanyRecord,
    CompanySignatory,
    PopulationRecord,
    PropertyOwner,
    PropertyRecord,
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


NAMED_PEOPLE = [
    NamedPerson("199003152387", "Anna", "Andersson", "Storgatan 1", EXEMPELBY, "anna"),
    NamedPerson("198511224571", "Erik", "Lindqvist", "Lillgatan 5", EXEMPELBY, "erik"),
    NamedPerson("197206086147", "Fatima", "Hassan", "Parkvägen 12", PROVSTAD, "hassan"),
    NamedPerson("200402291280", "Maja", "Nilsson", "Parkvägen 12", PROVSTAD, "hassan"),
    NamedPerson("192507043327", "Gunnel", "Berg", "Tallvägen 3", PROVSTAD, "gunnel"),
    NamedPerson("199606812056", "Tomasz", "Kowalski", "Järnvägsgatan 8", EXEMPELBY, "tomasz"),
]
# (designation, municipality, square metres, owners)
NAMED_PROPERTIES = [
    ("Exempelby Björken 1:23", "9991", 1250, ["199003152387"]),
    ("Exempelby Eken 2:8", "9991", 980, ["198511224571"]),
    ("Exempelby Torget 1:1", "9991", 640, ["5566778899"]),
    ("Provstad Tallen 3:4", "9992", 2100, ["192507043327"]),
    ("Provstad Lönnen 4:2", "9992", 1400, ["197206086147", "200402291280"]),
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


@transaction.atomic
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
            },
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
                },
            )
            created += made
    return created
