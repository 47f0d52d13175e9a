import datetime as dt
from collections.abc import Iterator

import pytest
from asgiref.local import Local
from django.core.management import call_command
from django.test import override_settings

from digigov.core import clock
from digigov.core.tasks import task_backends
from digigov.identity import actions
from digigov.identity.models import AuthorizationCode
from digigov.identity.port import Identity
from digigov.identity.tasks import purge_expired_provider_state

pytestmark = pytest.mark.django_db

ANNA = Identity("199003152387", "Anna", "Andersson", "Anna Andersson", "loa3", "test", "sub")


def old_code() -> None:
    AuthorizationCode.objects.create(
        code_hash="a" * 64,
        client_id="digigov",
        redirect_uri="http://testserver/eid/callback/test",
        code_challenge="c",
        claims={},
        expires_at=clock.now() - dt.timedelta(hours=2),
    )


def test_a_sign_in_runs_the_purge_at_once_in_immediate_mode(django_capture_on_commit_callbacks):
    old_code()
    with django_capture_on_commit_callbacks(execute=True):
        actions.sign_in_resident(ANNA)
    assert AuthorizationCode.objects.count() == 0


def reset_task_backends() -> None:
    """The backends are built once from settings; build them again after a change."""
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def database_tasks() -> Iterator[None]:
    """Production's setting: jobs wait in the database for `digigov worker`."""
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        reset_task_backends()
        yield
    reset_task_backends()


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_worker_runs_the_job(database_tasks):
    old_code()
    result = purge_expired_provider_state.enqueue()
    assert AuthorizationCode.objects.count() == 1  # queued, not run
    call_command("db_worker", "--batch", "--no-startup-delay")
    result.refresh()
    assert result.return_value == 1
    assert AuthorizationCode.objects.count() == 0
