"""BankID in real Chromium, against the simulator: the virtual app reads the QR the page
shows (a picture of it, as a phone's camera would), "BankID on this device" goes to the
app and back, failures show BankID's messages, it works without JavaScript, and axe
finds nothing on any of the pages, also after each step."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from digigov.conftest import assert_no_violations
from digigov.identity.bankid import messages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANNA = "199003152387"


@pytest.fixture
def bankid(live_server: Any, bankid_simulator: Any) -> str:
    return live_server.url


def _choose(page: Any, base: str, device: str, *, axe: bool = True) -> None:
    page.goto(f"{base}/logga-in/")
    page.get_by_role("link", name="Logga in med BankID").click()
    if axe:  # axe runs as script in the page
        assert_no_violations(page, "BankID: choose the device")
    page.get_by_role("button", name=device).click()
    page.wait_for_url("**/eid/bankid/vantar")


def _scan_with_app(app: Any, base: str, picture: bytes, person: str) -> None:
    app.goto(f"{base}/bankid-simulator/app/")
    app.get_by_label("Vems BankID").select_option(person)
    app.get_by_label("Eller en bild av QR-koden").set_input_files(
        {"name": "qr.png", "mimeType": "image/png", "buffer": picture}
    )
    app.get_by_role("button", name="Läs av").click()


def _scan_the_qr_shown(page: Any, app: Any, base: str, person: str) -> None:
    """Scan what the page shows now; a busy machine may take longer than the QR lives
    between the picture and the scan, and then the app says so and the person scans
    again, as with the real app."""
    for _attempt in range(3):
        _scan_with_app(app, base, page.locator("#bankid-qr-image").screenshot(), person)
        if "för gammal" not in app.content():
            return
    raise AssertionError("the virtual app refused three fresh pictures of the QR")


def test_anna_signs_in_on_another_device_by_scanning_the_animated_qr(
    bankid: str, page: Any
) -> None:
    _choose(page, bankid, "Mobilt BankID på en annan enhet")
    assert_no_violations(page, "BankID: the QR")
    first = page.locator("#bankid-qr-image svg").inner_html()
    page.wait_for_timeout(1500)
    assert page.locator("#bankid-qr-image svg").inner_html() != first  # new every second
    app = page.context.new_page()
    _scan_the_qr_shown(page, app, bankid, ANNA)
    assert_no_violations(app, "the virtual app: identify")
    expect(page.locator("#bankid-message")).to_contain_text("säkerhetskod", timeout=5_000)
    app.get_by_role("button", name="Identifiera", exact=True).click()
    assert_no_violations(app, "the virtual app: done")
    page.wait_for_url(f"{bankid}/mina-sidor/", timeout=10_000)
    assert "Anna Andersson" in page.content()


def test_anna_signs_in_with_bankid_on_this_device(bankid: str, page: Any) -> None:
    _choose(page, bankid, "BankID på den här enheten")
    assert_no_violations(page, "BankID: start the app")
    page.get_by_role("link", name="Starta BankID-appen").click()
    assert_no_violations(page, "the virtual app: opened by autostart")
    page.get_by_label("Vems BankID").select_option(ANNA)
    page.get_by_role("button", name="Öppna beställningen").click()
    page.get_by_role("button", name="Identifiera", exact=True).click()
    page.wait_for_url(f"{bankid}/mina-sidor/")
    assert "Anna Andersson" in page.content()


def test_a_blocked_bankid_shows_bankid_s_message(bankid: str, page: Any) -> None:
    _choose(page, bankid, "Mobilt BankID på en annan enhet")
    app = page.context.new_page()
    _scan_with_app(app, bankid, page.locator("#bankid-qr-image").screenshot(), "197510102317")
    page.wait_for_selector(".error-summary", timeout=10_000)
    assert messages.text("RFA16") in page.content()
    assert_no_violations(page, "BankID: failed")
    assert_no_violations(app, "the virtual app: a failure scenario")


def test_bankid_works_without_javascript(bankid: str, no_script_page: Any, browser: Any) -> None:
    page = no_script_page
    _choose(page, bankid, "Mobilt BankID på en annan enhet", axe=False)
    text = page.locator("#bankid-qr-text").text_content()
    app = page.context.new_page()
    app.goto(f"{bankid}/bankid-simulator/app/")
    app.get_by_label("Vems BankID").select_option(ANNA)
    app.get_by_label("QR-kodens text").fill(text)
    app.get_by_role("button", name="Läs av").click()
    app.get_by_role("button", name="Identifiera", exact=True).click()
    # the page refreshes itself and collects as it loads
    page.wait_for_url(f"{bankid}/mina-sidor/", timeout=10_000)
