"""The synthetic population generator: valid, distinct, deterministic, with households."""

import pytest
from django.core.management import call_command

from digigov.core.identifiers import parse_person_identifier
from digigov.core.models import AuditEntry
from digigov.registers import generate
from digigov.registers.models import Guardian, PopulationRecord


def test_the_same_seed_gives_the_same_people_and_numbers_never_repeat():
    first = [row for row, _ in generate.people(3000, seed=7)]
    again = [row for row, _ in generate.people(3000, seed=7)]
    assert first == again
    numbers = [row["personal_identity_number"] for row in first]
    assert len(set(numbers)) == len(numbers) == 3000
    for row in first[:500]:
        parsed = parse_person_identifier(str(row["personal_identity_number"]), today=generate.TODAY)
        assert parsed.birth_date == row["date_of_birth"]
    assert [row for row, _ in generate.people(50, seed=8)] != first[:50]


def test_children_have_their_households_adults_as_guardians():
    children = 0
    for row, guardians in generate.people(2000, seed=3):
        age = (generate.TODAY - row["date_of_birth"]).days / 365.25
        # children are born at most 17 years ago, adults at least 18
        assert bool(guardians) == (age < 17.5)
        children += bool(guardians)
    assert children > 100


@pytest.mark.django_db
def test_the_command_stores_people_and_guardians(capsys):
    call_command("registers", "generate", "--people", "1200", "--seed", "5")
    out = capsys.readouterr().out
    assert "1,200 people" in out
    assert PopulationRecord.objects.count() == 1200
    assert Guardian.objects.exists()
    assert AuditEntry.objects.filter(action="registers.generated", data__people=1200).exists()
    child = Guardian.objects.select_related("child").first().child
    assert PopulationRecord.objects.filter(
        household=child.household,
        personal_identity_number=Guardian.objects.filter(child=child)
        .first()
        .personal_identity_number,
    ).exists()


@pytest.mark.django_db
def test_the_command_refuses_a_count_out_of_range():
    from django.core.management import CommandError

    for count in ("0", "60000000"):
        with pytest.raises(CommandError, match="1 to 50,000,000"):
            call_command("registers", "generate", "--people", count)
    assert not PopulationRecord.objects.exists()
