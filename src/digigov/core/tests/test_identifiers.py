import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from digigov.core.identifiers import parse_organisation_number, parse_person_identifier

TODAY = dt.date(2026, 11, 22)


def with_check_digit(nine: str) -> str:
    return nine + luhn.calc_check_digit(nine)


birth_dates = st.dates(min_value=dt.date(1890, 1, 1), max_value=TODAY)
serials = st.integers(min_value=1, max_value=999).map(lambda n: f"{n:03d}")


def spellings(birth: dt.date, serial: str, coordination: bool = False) -> tuple[str, list[str]]:
    day = birth.day + (60 if coordination else 0)
    ten = with_check_digit(f"{birth:%y%m}{day:02d}{serial}")
    twelve = f"{birth.year // 100:02d}{ten}"
    age_100_or_more = (TODAY.year - birth.year) >= 100
    separator = "+" if age_100_or_more else "-"
    forms = [twelve, f"{twelve[:8]}-{twelve[8:]}", f"{ten[:6]}{separator}{ten[6:]}"]
    if not age_100_or_more:
        forms.append(ten)  # ten digits without a separator mean under 100
    forms.append(f"  {twelve[:8]} {twelve[8:]} ")
    return twelve, forms


@given(birth_dates, serials)
def test_every_spelling_of_a_personnummer_normalises_to_twelve_digits(birth, serial):
    twelve, forms = spellings(birth, serial)
    for form in forms:
        parsed = parse_person_identifier(form, today=TODAY)
        assert parsed.value == twelve, form
        assert parsed.kind == "personnummer"
        assert parsed.birth_date == birth
        # and the normalised form parses to itself
        assert parse_person_identifier(str(parsed), today=TODAY).value == twelve


@given(birth_dates, serials)
def test_samordningsnummer_has_day_plus_sixty(birth, serial):
    twelve, forms = spellings(birth, serial, coordination=True)
    for form in forms:
        parsed = parse_person_identifier(form, today=TODAY)
        assert parsed.value == twelve
        assert parsed.kind == "samordningsnummer"
        assert parsed.birth_date == birth


@given(birth_dates, serials, st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_rejected(birth, serial, delta):
    twelve, _ = spellings(birth, serial)
    wrong = twelve[:-1] + str((int(twelve[-1]) + delta) % 10)
    with pytest.raises(ValidationError) as error:
        parse_person_identifier(wrong, today=TODAY)
    assert error.value.code == "checksum"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "format"),
        ("abc", "format"),
        ("19900315238", "format"),  # 11 digits
        ("1990031523877", "format"),  # 13 digits
        ("199003152387+", "format"),
        ("19900315+2387", "format"),  # plus only with ten digits
        ("19901315-2387", "date"),  # month 13
        ("19900230-2386", "date"),  # 30 February
        ("20301224-2384", "date"),  # born in the future
        ("17" + with_check_digit("000101238"), "date"),  # born in 1700
        ("1990-03-15-2387", "format"),
        ("19900315-0001", "format"),  # födelsenummer 000, though its check digit is right
        ("١٩٩٠٠٣١٥-٢٣٨٧", "format"),  # Arabic-Indic digits: not "a wrong check digit"
        ("１９９００３１５２３８７", "format"),  # fullwidth digits
    ],
)
def test_malformed_personnummer_is_rejected_with_a_reason(text, code):
    with pytest.raises(ValidationError) as error:
        parse_person_identifier(text, today=TODAY)
    assert error.value.code == code


def test_ten_digits_pick_the_century_by_the_separator():
    assert parse_person_identifier("250704-3327", today=TODAY).value == "202507043327"
    assert parse_person_identifier("250704+3327", today=TODAY).value == "192507043327"
    # someone born in December 1926 is written with "+" all through 2026
    december = with_check_digit("261224123")
    plus = f"{december[:6]}+{december[6:]}"
    assert parse_person_identifier(plus, today=TODAY).birth_date == dt.date(1926, 12, 24)
    with pytest.raises(ValidationError) as error:
        parse_person_identifier(f"{december[:6]}-{december[6:]}", today=TODAY)
    assert error.value.code == "date"  # with "-" it would be a birth later this year


organisation_bases = st.from_regex(r"\A[0-9]{2}[2-9][0-9]{6}\Z")


@given(organisation_bases)
def test_organisationsnummer_round_trips(nine):
    number = with_check_digit(nine)
    for form in [number, f"{number[:6]}-{number[6:]}", f"16{number}", f" {number} "]:
        parsed = parse_organisation_number(form)
        assert parsed.value == number
        assert parse_organisation_number(str(parsed)).value == number


@given(organisation_bases, st.integers(min_value=1, max_value=9))
def test_organisationsnummer_with_wrong_check_digit_is_rejected(nine, delta):
    number = with_check_digit(nine)
    wrong = number[:-1] + str((int(number[-1]) + delta) % 10)
    with pytest.raises(ValidationError) as error:
        parse_organisation_number(wrong)
    assert error.value.code == "checksum"


@pytest.mark.parametrize("text", ["", "12345", "2120009994x", "211000-9995", "19900315-2387"])
def test_malformed_organisationsnummer_is_rejected(text):
    with pytest.raises(ValidationError):
        parse_organisation_number(text)
