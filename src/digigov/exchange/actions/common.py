"""What the exchange's actions share: the audit row, and identifiers as ValidationErrors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from digigov.core import audit
from digigov.core.actors import Actor
from digigov.exchange.identifiers import BadIdentifier
from digigov.exchange.models import (
    Registry,
)


def _audit(actor: Actor, action: str, object_id: str, **data: Any) -> None:
    audit.record(
        actor=actor,
        action=f"exchange.{action}",
        object_type="exchange",
        object_id=object_id,
        data=data,
    )


def _registry() -> Registry:
    found = Registry.objects.first()
    if found is None:
        raise ValidationError(
            "this installation is not a federation registry: run `digigov exchange init`"
        )
    return found


def _identifier(make: Any, *parts: str) -> Any:
    try:
        return make(*parts)
    except BadIdentifier as error:
        raise ValidationError(str(error), code="identifier") from error
