"""A synthetic population at scale: households of valid, distinct personnummer.

Deterministic by seed: names and streets are drawn from Faker's Swedish lists
once, then combined with a seeded generator, which is what makes ten million
people take minutes rather than hours. Children get the household's adults
as guardians. This module only makes the rows; `actions.generate_population`
stores them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from faker import Faker
from stdnum import luhn

TODAY = dt.date(2026, 1, 1)  # fixed, so the same seed gives the same people
# (kommunkod, postnummer prefix, ort): generated people live in these places
PLACES = [
    ("9991", "999", "Exempelby"),
    ("9992", "998", "Provstad"),
    ("9993", "997", "Bänkeby"),
    ("9994", "996", "Mätstad"),
    ("9995", "995", "Provby"),
]


class Numbers:
    """Distinct personnummer: every birth date has 999 serial numbers (000 is none), handed
    out in a seeded order, so no number repeats and no table lookup is needed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: dict[dt.date, int] = {}
        self.order = list(range(1, 1000))
        rng.shuffle(self.order)

    def number(self, born: dt.date) -> str | None:
        taken = self.used.get(born, 0)
        if taken >= len(self.order):
            return None
        self.used[born] = taken + 1
        nine = f"{born:%y%m%d}{self.order[(taken * 7 + born.toordinal()) % len(self.order)]:03d}"
        return f"{born:%Y}"[:2] + nine + luhn.calc_check_digit(nine)


def people(count: int, seed: int) -> Iterator[tuple[dict[str, object], list[str]]]:
    """(a person's columns, their guardians' numbers), household by household."""
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    given = [fake.first_name() for _ in range(2000)]
    surnames = [fake.last_name() for _ in range(2000)]
    streets = [fake.street_name() for _ in range(1000)]
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    numbers = Numbers(rng)
    made = household = 0
    while made < count:
        household += 1
        code, postal_prefix, city = PLACES[household % len(PLACES)]
        street = f"{rng.choice(streets)} {rng.randint(1, 120)}"
        postal_code = f"{postal_prefix}{rng.randint(0, 99):02d}"
        surname = rng.choice(surnames)
        adults: list[str] = []
        for member in range(rng.choice((1, 1, 2, 2, 2, 3, 4, 5))):
            if made >= count:
                break
            adult = member < 2 or not adults
            age_days = rng.randint(18 * 365, 95 * 365) if adult else rng.randint(0, 17 * 365)
            born = TODAY - dt.timedelta(days=age_days)
            number = numbers.number(born)
            if number is None:
                continue
            row = {
                "personal_identity_number": number,
                "given_name": rng.choice(given),
                "surname": surname,
                "street": street,
                "postal_code": postal_code,
                "city": city,
                "municipality_code": code,
                "household": f"g{seed}-{household}",
                "date_of_birth": born,
                # about one in a thousand has skyddad folkbokföring
                "protected_identity": rng.random() < 0.001,
            }
            made += 1
            yield row, [] if adult else list(adults)
            if adult:
                adults.append(number)


COLUMNS = [
    "personal_identity_number",
    "given_name",
    "surname",
    "street",
    "postal_code",
    "city",
    "municipality_code",
    "household",
    "date_of_birth",
    "protected_identity",
]
