"""Test people the test e-ID provider offers, with valid (fictitious) numbers.

The demo data and the README list the same people; they do not exist.
"""

from digigov.identity.builtin_eid import TestPerson

TEST_PEOPLE = [
    TestPerson("199003152387", "Anna", "Andersson"),
    TestPerson("198511224571", "Erik", "Lindqvist"),
    TestPerson("197206086147", "Fatima", "Hassan"),
    TestPerson("200402291280", "Maja", "Nilsson"),
    TestPerson("192507043327", "Gunnel", "Berg"),  # over 100: written 250704+3327 with 10 digits
    TestPerson("199606812056", "Tomasz", "Kowalski"),  # a samordningsnummer (day 21 + 60)
    TestPerson("198807192383", "Leila", "Karimi"),  # skyddad folkbokföring
    TestPerson("197804122385", "Hanna", "Handläggare"),  # the demo's case worker, by e-ID
]
