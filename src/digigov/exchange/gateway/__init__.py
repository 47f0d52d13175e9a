"""The gateway: X-Road's REST protocol towards its own systems, signed mutual TLS between gateways.

One `Gateway` serves one member (docs/adr/0007):

- the **client side** takes `{METHOD} /r1/{instance}/{class}/{code}/{subsystem}/{service}[/path]`
  from the organisation's own systems with `X-Road-Client`, signs the request,
  logs it, sends it to the provider's gateway over mutual TLS, verifies and
  logs the signed response and answers with `X-Road-Request-Hash`;
- the **server side** accepts only gateways whose TLS certificate the global
  configuration lists, verifies the signature and every hash, refuses
  replays and calls without an access right, logs, calls the service, and
  signs and logs the response.

Failures answer with X-Road's error shape: an `X-Road-Error` header and
`{"type", "message", "detail"}`.

The package: `node` (one gateway's state and sockets), `client_side`,
`server_side`, `metaservices`, `connections` (kept-alive HTTP/1.1) and `base`
(errors, limits, keys, log records).
"""

from digigov.exchange.gateway.base import REFRESH_SECONDS, GatewayError
from digigov.exchange.gateway.node import Gateway, event_loop_factory

__all__ = ["REFRESH_SECONDS", "Gateway", "GatewayError", "event_loop_factory"]
