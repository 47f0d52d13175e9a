"""digigov gateway: run this installation's gateways until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from digigov.core import anchors
from digigov.core.actors import Actor
from digigov.exchange import actions
from digigov.exchange.gateway import REFRESH_SECONDS, Gateway, event_loop_factory
from digigov.exchange.models import LocalGateway


class Command(BaseCommand):
    help = (
        "Run the gateways of this installation (`digigov exchange here` or `local-gateway save`)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--member", action="append", help="only this member's gateways (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        found = LocalGateway.objects.all()
        if options["member"]:
            found = found.filter(member_id__in=options["member"])
        locals_ = list(found)
        if not locals_:
            raise CommandError("no gateway is set up here: see `digigov exchange here --help`")
        # Built here, outside the event loop: each reads its log's head from the database.
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            runner.run(self._run([Gateway(local) for local in locals_]))

    async def _republish(self, gateway: Gateway) -> None:
        """Where this installation is also the registry, keep the configuration fresh."""
        while True:
            try:
                await gateway._in_database_thread(_publish_if_due)
            except Exception as error:  # keep serving; the next round tries again
                self.stderr.write(f"could not publish the configuration: {error}")
            await asyncio.sleep(REFRESH_SECONDS)

    async def _anchor(self, gateway: Gateway) -> None:
        """Anchor every log's head outside the database at start and at intervals
        (core.anchors)."""
        while True:
            try:
                # a thread of its own: the witness is asked through this very gateway,
                # whose database thread logs the message
                _made, failed = await asyncio.to_thread(_checkpoint)
                for failure in failed:
                    self.stderr.write(f"not anchored in {failure}")
            except Exception as error:  # keep serving; the next round tries again
                self.stderr.write(f"could not anchor the logs: {error}")
            await asyncio.sleep(settings.ANCHOR_MINUTES * 60)

    async def _run(self, gateways: list[Gateway]) -> None:
        for gateway in gateways:
            try:
                await gateway.start()
            except Exception as error:
                raise CommandError(f"the gateway {gateway.name} cannot start: {error}") from error
            self.stdout.write(
                f"gateway {gateway.name}: systems on http://{gateway.local.host}:{gateway.local.client_port}, "
                f"gateways on https://{gateway.local.host}:{gateway.local.server_port}"
            )
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sign in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sign, stopping.set)
        refreshers = [asyncio.create_task(gateway.refresh_forever()) for gateway in gateways]
        refreshers.append(asyncio.create_task(self._republish(gateways[0])))
        refreshers.append(asyncio.create_task(self._anchor(gateways[0])))
        await stopping.wait()
        for task in refreshers:
            task.cancel()
        for gateway in gateways:
            await gateway.stop()


def _checkpoint() -> tuple[anchors.Checkpoint, list[str]]:
    try:
        return anchors.checkpoint()
    finally:
        connection.close()


def _publish_if_due() -> None:
    actions.publish_if_due(actor=Actor.system("gateway"))
