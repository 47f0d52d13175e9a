"""Helpers for tests that run gateways: free ports, and an event loop in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

from digigov.exchange.gateway import Gateway, event_loop_factory


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Running:
    """Gateways served by an event loop in a thread of their own."""

    def __init__(self) -> None:
        self.loop = (event_loop_factory() or asyncio.new_event_loop)()  # as `digigov gateway` runs
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.gateways: list[Gateway] = []

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def start(self, gateway: Gateway) -> Gateway:
        self.run(gateway.start())
        self.gateways.append(gateway)
        return gateway

    def reload(self) -> None:
        for gateway in self.gateways:
            gateway.reload()

    def stop(self) -> None:
        for gateway in self.gateways:
            self.run(gateway.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
