"""The witness: members keep each other's checkpoints (core.anchors) over the exchange.

This installation sends its checkpoints to another member's witness service
(`DIGIGOV_ANCHOR_WITNESS`), which keeps them in its own database, out of reach
of anyone who can write ours; verification reads them back from there. And it
is a witness itself: the service `vittne` keeps what members send it and gives
each member back only its own.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from digigov.core import anchors, problems
from digigov.exchange import actions, queries
from digigov.exchange.client import ExchangeClient
from digigov.exchange.identifiers import ClientId, ServiceId
from digigov.exchange.models import LocalGateway, WitnessedCheckpoint

SERVICE = "vittne"
PATH = "/checkpoints"
ISSUE = "Förankring av loggar"
MAX_DOCUMENT = 256 * 1024


class ExchangeWitness:
    """Another member's witness service, asked through this installation's gateway."""

    def __init__(self, client: ExchangeClient, service: ServiceId) -> None:
        self.client = client
        self.service = service
        self.name = f"the witness {service}"

    def keep(self, checkpoint: anchors.Checkpoint) -> None:
        self.client.post(self.service, PATH, checkpoint.document(), issue=ISSUE)

    def checkpoints(self) -> list[anchors.Checkpoint]:
        found = self.client.get(self.service, PATH, issue=ISSUE) or {}
        return [anchors.Checkpoint.of(kept, self.name) for kept in found.get("checkpoints", [])]


class Unreachable:
    """A witness that is named but cannot be asked: keeping and reading both fail, so the
    checkpoint and verification say so (it never quietly drops out)."""

    def __init__(self, name: str, why: str) -> None:
        self.name, self.why = name, why

    def keep(self, checkpoint: anchors.Checkpoint) -> None:
        raise RuntimeError(self.why)

    def checkpoints(self) -> list[anchors.Checkpoint]:
        raise RuntimeError(self.why)


def configured_store() -> ExchangeWitness | Unreachable | None:
    """The witness DIGIGOV_ANCHOR_WITNESS names, asked from this installation's first
    gateway as DIGIGOV_EXCHANGE_SUBSYSTEM; None when none is named."""
    if not settings.ANCHOR_WITNESS:
        return None
    local = LocalGateway.objects.order_by("pk").first()
    if local is None:
        return Unreachable(
            f"the witness {settings.ANCHOR_WITNESS}", "no gateway here to ask it through"
        )
    client = ExchangeClient(
        f"http://{local.host}:{local.client_port}",
        ClientId.parse(f"{local.member_id}/{settings.EXCHANGE_SUBSYSTEM}"),
    )
    return ExchangeWitness(client, ServiceId.parse(settings.ANCHOR_WITNESS))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def checkpoints(request: HttpRequest) -> HttpResponse:
    """POST keeps a member's checkpoint; GET gives the asking member its own, oldest first.
    Only through this installation's gateway, as the service `vittne`."""
    if queries.gateway_service(request.headers, SERVICE) is None:
        detail = "the witness answers only through the exchange's gateway"
        return problems.response(request, 403, "gateway-only", detail)
    client = request.headers.get("X-Road-Client", "")
    if not client:
        return problems.response(request, 400, "no-client", "X-Road-Client names who asks")
    if request.method == "GET":
        kept = WitnessedCheckpoint.objects.filter(client=client).order_by("made_at", "pk")
        return JsonResponse({"checkpoints": [row.document for row in kept]})
    if len(request.body) > MAX_DOCUMENT:
        detail = f"a checkpoint is at most {MAX_DOCUMENT} bytes"
        return problems.response(request, 413, "too-large", detail)
    try:
        document: Any = json.loads(request.body)
        if not isinstance(document, dict):
            raise ValueError("not an object")
        row = actions.witness_checkpoint(
            client=client, document=document, message_id=request.headers.get("X-Road-Id", "")
        )
    except (ValueError, ValidationError) as error:
        return problems.response(request, 400, "not-a-checkpoint", f"not a checkpoint: {error}")
    return JsonResponse({"kept": row.pk, "made_at": row.made_at.isoformat()}, status=201)
