"""Sweden Connect in real Chromium: Erik signs in through the test identity provider at
level 3, with and without JavaScript, and axe finds nothing on its pages."""

from __future__ import annotations

from typing import Any

import pytest

from digigov.conftest import assert_no_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_erik_signs_in_through_sweden_connect_at_loa3(live_server: Any, page: Any) -> None:
    base = live_server.url
    page.goto(f"{base}/logga-in/")
    page.get_by_role("link", name="Logga in med Sweden Connect").click()
    page.wait_for_url("**/test-idp/sso?**")
    assert_no_violations(page, "the test identity provider")
    assert page.get_by_label("Tillitsnivå").input_value().endswith("/loa3")
    # the answer's page goes on by itself; held here once to check it
    page.route("**/autosubmit.js", lambda route: route.abort())
    page.get_by_role("button", name="Erik Lindqvist (198511224571)").click()
    assert_no_violations(page, "the identity provider's answer, before it is posted")
    page.unroute("**/autosubmit.js")
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url(f"{base}/mina-sidor/")
    assert "Erik Lindqvist" in page.content()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{base}/")


def test_the_answer_goes_on_by_itself_with_javascript(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/eid/start/saml/")
    page.get_by_role("button", name="Erik Lindqvist (198511224571)").click()
    page.wait_for_url(f"{live_server.url}/mina-sidor/")


def test_sweden_connect_without_javascript(live_server: Any, no_script_page: Any) -> None:
    page = no_script_page
    base = live_server.url
    page.goto(f"{base}/eid/start/saml/")
    page.get_by_role("button", name="Erik Lindqvist (198511224571)").click()
    page.get_by_role("button", name="Fortsätt").click()  # the answer's form, by hand
    page.wait_for_url(f"{base}/mina-sidor/")
