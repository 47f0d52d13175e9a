"""BankID's animated QR, against the example in BankID's relying-party documentation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digigov.identity.bankid import qr

TOKEN = "67df3917-fa0d-44e5-b327-edcc928297f8"
SECRET = "d28db9a7-4cde-429e-a983-359be676944c"


def test_the_documented_example():
    assert qr.auth_code(SECRET, 0) == (
        "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
    )
    assert qr.data(TOKEN, SECRET, 1) == (
        f"bankid.{TOKEN}.1.949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"
    )


@given(st.integers(min_value=0, max_value=600))
def test_the_qr_shown_now_matches_and_no_other_does(seconds):
    shown = qr.data(TOKEN, SECRET, seconds)
    assert qr.matches(shown, TOKEN, SECRET, seconds + 0.9)
    assert not qr.matches(shown, TOKEN, SECRET, seconds + 5)  # stale
    assert not qr.matches(shown, TOKEN, "another-secret", seconds)  # another order's key
    assert not qr.matches(shown, "00000000-0000-0000-0000-000000000000", SECRET, seconds)
    forged = shown[:-1] + ("0" if shown[-1] != "0" else "1")
    assert not qr.matches(forged, TOKEN, SECRET, seconds)


@pytest.mark.parametrize(
    "text",
    ["", "bankid", f"bankid.{TOKEN}.-1.{'0' * 64}", f"bankid.{TOKEN}.01.{'0' * 64}",
     f"bankid.{TOKEN}.1.{'0' * 63}", f"BANKID.{TOKEN}.1.{'0' * 64}", "x" * 500],
)  # fmt: skip
def test_what_is_not_a_bankid_qr_is_refused(text):
    assert qr.parse(text) is None
    assert not qr.matches(text, TOKEN, SECRET, 1)


def test_a_negative_second_is_refused():
    with pytest.raises(ValueError):
        qr.data(TOKEN, SECRET, -1)
