"""Staff's second factor: a time-based one-time code (TOTP, RFC 6238) from an
authenticator app, for accounts that sign in with a password.

The shared secret is kept encrypted with a key derived from the installation's secret
key; a code is good for its 30-second step (give or take one, for clocks that differ)
and only once: the step it was used in is kept, and no earlier or equal step works.
"""

from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import quote

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from digigov.identity.bankid import qr

ISSUER = "Digigov"
STEP_SECONDS = 30
CODE_DIGITS = 6


def _fernet() -> Fernet:
    key = hashlib.sha256(f"{settings.SECRET_KEY}:staff-second-factor".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    return pyotp.random_base32()


def sealed(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def opened(stored: str) -> str:
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken as error:
        raise ValueError("the second factor cannot be read with this secret key") from error


def uri(secret: str, username: str) -> str:
    """What an authenticator app scans (the otpauth URI)."""
    return pyotp.TOTP(secret).provisioning_uri(name=quote(username), issuer_name=ISSUER)


def qr_svg(secret: str, username: str) -> str:
    return qr.svg(uri(secret, username), title="TOTP", error="M", scale=4)


def grouped(secret: str) -> str:
    """The secret as a person types it: in groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, after_step: int, now: float | None = None) -> int | None:
    """The step a code belongs to (this one, or the one before or after), if it is right and
    later than `after_step`; else None."""
    code = "".join(code.split())
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if step > after_step and totp.at(step * STEP_SECONDS) == code:
            return step
    return None
