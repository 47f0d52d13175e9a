"""The decision's signing pages: what the session may hold between them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from digigov.cases.models import Case
from digigov.cases.tests.test_decision_signing import submit_licence, worker
from digigov.web.decision_views import DRAFT

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence_case(services) -> Case:
    return submit_licence(services)


@pytest.mark.parametrize(
    "draft",
    [
        "not a dict",
        {"case": "elsewhere", "transition": "besluta", "data": {}},
        {"case": None, "transition": ["besluta"], "data": "x"},
        {"transition": "besluta"},
    ],
)
def test_a_broken_or_foreign_draft_in_the_session_goes_back_to_the_case(
    licence_case, client, draft
):
    staff = worker(licence_case)
    client.force_login(staff.user)
    if isinstance(draft, dict) and draft.get("case") is None and "data" in draft:
        draft["case"] = str(licence_case.public_id)
    session = client.session
    session[DRAFT] = draft
    session.save()
    answer = client.get(reverse("web:staff-case-decision", args=[licence_case.public_id]))
    assert answer.status_code == 302
    assert answer.url == reverse("web:staff-case", args=[licence_case.public_id])
