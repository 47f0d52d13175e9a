"""Background jobs of identity."""

from __future__ import annotations

from digigov.core.tasks import task
from digigov.identity import actions


@task()
def purge_expired_provider_state() -> int:
    """Delete expired test e-ID codes and tokens and old failed sign-ins. Idempotent."""
    return actions.purge_expired_provider_state()
