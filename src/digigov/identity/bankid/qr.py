"""BankID's animated QR (relying-party API v6): what the QR shows at each second of an order.

The QR changes every second: `bankid.{qrStartToken}.{seconds}.{qrAuthCode}`, where the
code is HMAC-SHA256 of the seconds since the order began, keyed with `qrStartSecret`.
The secret stays on the server (it computes each QR), so a QR seen once cannot be
replayed later; the BankID service (here, also its simulator) checks the code and that
the seconds are the order's now.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

PREFIX = "bankid"
# The QR's text: the start token (a UUID), whole seconds, 64 hex digits.
SHAPE = re.compile(r"^bankid\.([0-9a-fA-F-]{36})\.(0|[1-9][0-9]{0,5})\.([0-9a-f]{64})$")


def auth_code(start_secret: str, seconds: int) -> str:
    return hmac.new(start_secret.encode(), str(seconds).encode(), hashlib.sha256).hexdigest()


def data(start_token: str, start_secret: str, seconds: int) -> str:
    """The QR's text `seconds` after the order began."""
    if seconds < 0:
        raise ValueError("an order's QR begins at second 0")
    return f"{PREFIX}.{start_token}.{seconds}.{auth_code(start_secret, seconds)}"


@dataclass(frozen=True)
class Scanned:
    start_token: str
    seconds: int
    code: str


def parse(text: str) -> Scanned | None:
    """A scanned QR's parts, or None when it is not a BankID QR."""
    found = SHAPE.match(text.strip())
    if found is None:
        return None
    return Scanned(found.group(1).lower(), int(found.group(2)), found.group(3))


def matches(
    text: str, start_token: str, start_secret: str, elapsed: float, *, tolerance: int = 1
) -> bool:
    """Is `text` this order's QR as it is shown now (`elapsed` seconds after the order
    began, give or take `tolerance` for the time a scan takes)? A QR of another order, with
    a wrong code, or from a moment long past or still to come is not."""
    scanned = parse(text)
    if scanned is None or scanned.start_token != start_token.lower():
        return False
    if abs(scanned.seconds - int(elapsed)) > tolerance:
        return False
    return hmac.compare_digest(scanned.code, auth_code(start_secret, scanned.seconds))


def svg(text: str, *, title: str, error: str = "L", scale: int = 5, quiet: int = 2) -> str:
    """A QR code as inline SVG: one path of dark modules on white, `title` for its text
    alternative. Made with zxing-cpp (C++): a third of what a pure Python encoder took,
    which matters when every waiting browser asks for a new one each second."""
    import zxingcpp
    from django.utils.html import escape

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level=error)
    image: Any = code.to_image(scale=1, add_quiet_zones=False)  # a buffer of 0 and 255
    matrix = memoryview(image)
    height, width = matrix.shape or (0, 0)
    dark = matrix.tobytes()
    runs = []
    for y in range(height):
        row, x = dark[y * width : (y + 1) * width], 0
        while x < width:
            if row[x]:
                x += 1
                continue
            start = x
            while x < width and not row[x]:
                x += 1
            runs.append(f"M{start + quiet} {y + quiet}h{x - start}v1h-{x - start}z")
    size = width + 2 * quiet
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size * scale}" height="{size * scale}" shape-rendering="crispEdges">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(runs)}" fill="#000"/></svg>'
    )
