"""Answers of every shape to every question of every service: never a 500, and never an answer
of another shape than its question's stored (the review would fail on it ever after)."""

import pytest

from digigov.cases.models import Application
from digigov.conftest import FATIMA, sign_in_resident
from digigov.services import catalogue
from digigov.services import fields as field_types

pytestmark = pytest.mark.django_db

ODD = [
    1e30, "1e30", "1e400", -1e30, 10**40, 0.001, "NaN", "Infinity", True, None, "",
    [], ["a"], [["a"]], [{"a": 1}], {}, {"a": 1}, {"street": ["x"]},
    "x" * 20_000, "\x00", "\ud800", ["\udfff"], "2026-13-45", "١٢٣",
]  # fmt: skip


def test_every_question_takes_odd_answers_without_a_500_or_a_misshapen_draft(client, services):
    sign_in_resident(client, FATIMA)
    for code, version in services.items():
        spec = catalogue.spec_of(version)
        kind = "person" if "person" in spec.applicant.kinds else "company"
        started = client.post(
            "/api/applications",
            {"organisation": "exempelby", "service": code, "applicant_kind": kind},
            content_type="application/json",
        )
        if started.status_code != 201:  # Fatima signs for no company
            continue
        public_id = started.json()["id"]
        for field in spec.all_fields():
            for odd in ODD:
                saved = client.patch(
                    f"/api/applications/{public_id}",
                    {"answers": {field.id: odd}},
                    content_type="application/json",
                )
                assert saved.status_code in (200, 422), (code, field.id, odd, saved.content)
                stored = Application.objects.get(public_id=public_id).answers.get(field.id)
                assert field_types.fits(field, stored), (code, field.id, odd, stored)
                review = client.get(f"/ansokan/{public_id}/granska/")
                assert review.status_code == 200, (code, field.id, odd)


def test_a_list_for_one_choice_is_refused_with_its_pointer(client, services):
    sign_in_resident(client, FATIMA)
    started = client.post(
        "/api/applications",
        {"organisation": "exempelby", "service": "BYGGLOV"},
        content_type="application/json",
    ).json()
    refused = client.patch(
        f"/api/applications/{started['id']}",
        {"answers": {"atgard": ["garage_carport"], "bruttoarea": 36}},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/answers/atgard"]
    assert "bruttoarea" not in Application.objects.get(public_id=started["id"]).answers
