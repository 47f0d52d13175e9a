"""The watch on writes outside actions (digigov.tests.writes) itself: it catches a
write from a way in that does not go through an action, and lets the others be."""

import pytest

from digigov.core.models import Organisation
from digigov.tests import writes

pytestmark = pytest.mark.django_db

RENAME = """
def rename(pk):
    Organisation.objects.filter(pk=pk).update(name="Ändrat utan action")
"""


def code_in(path: str):
    """`rename` as if it were written in the package at `path`."""
    namespace = {"Organisation": Organisation}
    exec(compile(RENAME, f"{writes.PACKAGE}/{path}", "exec"), namespace)  # noqa: S102
    return namespace["rename"]


@pytest.mark.parametrize(
    ("path", "caught"),
    [
        ("web/views.py", True),  # a page writing by itself
        ("cases/api.py", True),
        ("exchange/management/commands/exchange.py", True),
        ("core/actions.py", False),  # an action
        ("cases/actions/handling.py", False),
        ("core/queries.py", False),  # a helper a test called directly: the test's setup
    ],
)
def test_a_write_from_a_way_in_must_pass_an_action(organisation, path, caught):
    writes.take()
    code_in(path)(organisation.pk)
    found = writes.take()
    assert bool(found) is caught, found
    if caught:
        assert found[0].startswith("UPDATE core_organisation:") and path in found[0]
