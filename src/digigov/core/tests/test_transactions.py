"""Actions are the outermost transactions; an action may call another."""

import pytest
from django.db import transaction

from digigov.core.models import Organisation
from digigov.core.transactions import action

pytestmark = pytest.mark.django_db


@action
def rename(pk: int, name: str) -> None:
    Organisation.objects.filter(pk=pk).update(name=name)


@action
def rename_twice_then_fail(pk: int) -> None:
    rename(pk, "Första")
    rename(pk, "Andra")
    raise ValueError("the composed action fails after both inner ones")


def test_an_action_inside_another_transaction_is_refused(organisation):
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        rename(organisation.pk, "Inuti")


def test_inner_actions_join_the_outer_one_and_roll_back_with_it(organisation):
    with pytest.raises(ValueError, match="composed"):
        rename_twice_then_fail(organisation.pk)
    assert Organisation.objects.get(pk=organisation.pk).name == "Exempelby kommun"
    rename(organisation.pk, "Efter")  # the next action is outermost again
    assert Organisation.objects.get(pk=organisation.pk).name == "Efter"
