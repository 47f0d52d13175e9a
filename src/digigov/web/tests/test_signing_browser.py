"""In Chromium: a company's second signatory signs on Mina sidor, and a case worker signs a
decision with BankID; axe-core on each page, before and after."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from digigov.cases.models import Decision
from digigov.cases.tests.test_decision_signing import HANNA, REASONS, submit_licence, worker
from digigov.cases.tests.test_joint_signing import GUNNEL, company_draft
from digigov.conftest import ANNA, STAFF_PASSWORD, assert_no_violations, sign_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_on_this_device(page: Page, number: str) -> None:
    """BankID on this device: the virtual app opens, and the person signs."""
    page.get_by_role("button", name="BankID på den här enheten").click()
    page.get_by_role("link", name="Starta BankID-appen").click()
    page.get_by_label("Vems BankID").select_option(number)
    page.get_by_role("button", name="Öppna beställningen").click()
    page.get_by_role("button", name="Skriv under", exact=True).click()


def test_gunnel_signs_provstad_byggs_application_with_anna(
    live_server: Any, services: Any, bankid_simulator: Any, page: Page
) -> None:
    application = company_draft(services)
    sign_application(application, ANNA)
    base = live_server.url
    page.goto(f"{base}/eid/start/test/")
    page.get_by_role("button", name=f"Gunnel Berg ({GUNNEL})").click()
    page.wait_for_url(f"{base}/mina-sidor/")
    assert "Väntar på din underskrift" in page.content()
    assert_no_violations(page, "Mina sidor: an application waiting for her signature")
    page.get_by_role("link", name="Ansökan om bygglov").click()
    page.wait_for_url("**/skriv-under/")
    assert "Provstad Bygg och Fastighet AB" in page.content()
    assert "Underskriven med BankID av Anna Andersson" in page.content()
    assert_no_violations(page, "the second signatory's page")
    sign_on_this_device(page, GUNNEL)
    page.wait_for_url("**/skriv-under/")
    assert "Underskriven med BankID av Gunnel Berg" in page.content()
    assert "Den som fyllde i ansökan kan nu skicka in den" in page.content()
    assert_no_violations(page, "after she signed")


def test_the_case_worker_signs_the_licence_decision(
    live_server: Any, services: Any, bankid_simulator: Any, page: Page
) -> None:
    case = submit_licence(services)
    staff = worker(case)
    staff.user.set_password(STAFF_PASSWORD)
    staff.user.save(update_fields=["password"])
    base = live_server.url
    page.goto(f"{base}/personal/logga-in/")
    page.get_by_label("Användarnamn").fill(staff.user.get_username())
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/arbetsyta/")
    page.goto(f"{base}/arbetsyta/arenden/{case.public_id}/")
    page.get_by_label("Serveringstillstånd beviljas").check()
    page.get_by_label("Skäl för beslutet").fill(REASONS)
    page.get_by_role("button", name="Besluta").click()
    assert "Beslutet skrivs under med e-legitimation" in page.content()
    assert_no_violations(page, "the decision to sign")
    sign_on_this_device(page, HANNA)
    page.wait_for_url("**/beslut/")
    assert "Underskrivet med BankID av Hanna Handläggare" in page.content()
    assert_no_violations(page, "the signed decision, to take")
    page.get_by_role("button", name="Fatta beslutet").click()
    page.wait_for_url(f"{base}/arbetsyta/arenden/{case.public_id}/")
    assert_no_violations(page, "the case, decided")
    assert Decision.objects.get(case=case).signature.signer == HANNA
