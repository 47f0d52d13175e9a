"""A BankID sign-in or signature as the relying party runs it, one order per browser.

The order's secret and tokens are kept in the server-side session, never sent to the
browser: the server draws each second's QR (`qr_svg`) and collects the order (`poll`)
when the page asks, at most every two seconds, as BankID requires. A person who starts
another order, or leaves, cancels the one they had.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from digigov.identity import loa
from digigov.identity.bankid import client, messages, qr
from digigov.identity.bankid.client import BankIdError
from digigov.identity.port import Identity
from digigov.identity.signing import ToSign

logger = logging.getLogger(__name__)
SESSION_KEY = "bankid_order"
PROVIDER = "bankid"
COLLECT_SECONDS = 2.0
# BankID is certified at Sweden Connect's level 3.
LOA = loa.LOA3


@dataclass
class Pending:
    """An order this browser has running: what the session keeps of it."""

    order_ref: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str
    started: float  # time.time() when BankID answered
    operation: str  # auth or sign
    device: str  # qr: another device; this: BankID on this device
    nonce: str  # in the returnUrl, checked when the app sends the person back
    next: str
    required: str  # the level the sign-in asked for
    purpose: str = ""  # for a signature: what it signs (a reference the caller keeps)
    sign_text: str = ""  # ... the text shown
    sign_digest: str = ""  # ... the document's SHA-256, signed unseen
    signer: str = ""  # ... and whose signature it must be
    staff: bool = False  # a sign-in begun from the staff sign-in page
    status: str = "pending"
    hint: str = "outstandingTransaction"
    completion: dict[str, Any] | None = None

    @property
    def qr(self) -> bool:
        return self.device == "qr"


@dataclass(frozen=True)
class State:
    """Where an order is, and what the person is told (an RFA code and its text)."""

    status: str  # pending, failed, complete
    hint: str
    rfa: str

    @property
    def message(self) -> str:
        return messages.text(self.rfa)


def load(session: SessionBase) -> Pending | None:
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return Pending(**data)
    except TypeError:
        return None


def save(session: SessionBase, pending: Pending | None) -> None:
    if pending is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = asdict(pending)


def begin(
    session: SessionBase,
    *,
    end_user_ip: str,
    device: str,
    next_url: str,
    required: str,
    return_url: str,
    to_sign: ToSign | None = None,
    signer: str = "",
    purpose: str = "",
    staff: bool = False,
) -> Pending:
    """Start an order (cancelling this browser's earlier one): a sign-in, or with `to_sign`
    a signature by `signer` for `purpose`. `return_url` gets the order's nonce appended;
    it is given to BankID only for BankID on this device."""
    abandon(session)
    nonce = secrets.token_urlsafe(24)
    separator = "&" if "?" in return_url else "?"
    back = f"{return_url}{separator}nonce={nonce}" if device == "this" else None
    if to_sign is not None:
        order = client.sign(
            end_user_ip,
            to_sign.text,
            user_non_visible_data=to_sign.unseen,
            return_url=back,
            personal_number=signer,
        )
    else:
        order = client.auth(end_user_ip, return_url=back)
    pending = Pending(
        order_ref=order.order_ref,
        auto_start_token=order.auto_start_token,
        qr_start_token=order.qr_start_token,
        qr_start_secret=order.qr_start_secret,
        started=time.time(),
        operation="sign" if to_sign is not None else "auth",
        device=device,
        nonce=nonce,
        next=next_url,
        required=required,
        purpose=purpose,
        sign_text=to_sign.text if to_sign else "",
        sign_digest=to_sign.digest if to_sign else "",
        signer=signer,
        staff=staff,
    )
    save(session, pending)
    return pending


def abandon(session: SessionBase) -> None:
    """Cancel this browser's running order, if any (the person left or started anew)."""
    pending = load(session)
    save(session, None)
    if pending is not None and pending.status == "pending":
        try:
            client.cancel(pending.order_ref)
        except BankIdError as error:
            # it may have ended at BankID already; nothing waits on this answer
            logger.info("BankID cancel of %s: %s", pending.order_ref, error)


def seconds(pending: Pending, now: float | None = None) -> int:
    return max(0, int((now or time.time()) - pending.started))


def qr_text(pending: Pending, now: float | None = None) -> str:
    return qr.data(pending.qr_start_token, pending.qr_start_secret, seconds(pending, now))


def qr_svg(pending: Pending, now: float | None = None) -> str:
    """This second's QR as inline SVG, with a text alternative."""
    return qr.svg(qr_text(pending, now), title="BankID QR")


def nonce_matches(pending: Pending, nonce: str) -> bool:
    return hmac.compare_digest(pending.nonce.encode(), nonce.encode())


def state_of(pending: Pending, *, mobile: bool = False) -> State:
    return State(
        pending.status,
        pending.hint,
        messages.code_for(pending.status, pending.hint, qr=pending.qr, mobile=mobile)
        if pending.status != "complete"
        else "",
    )


# When each order was last collected, in this process: the session is written only when
# the order's state changes, not at every collect (most collects change nothing). With
# several worker processes an order may be collected once a second at most: BankID allows it.
_collected: dict[str, float] = {}
_collected_lock = threading.Lock()


def collect_now(pending: Pending) -> None:
    """Let the next poll ask BankID at once (the app has just sent the person back)."""
    with _collected_lock:
        _collected.pop(pending.order_ref, None)


def _due(pending: Pending, now: float) -> bool:
    with _collected_lock:
        if now - _collected.get(pending.order_ref, 0.0) < COLLECT_SECONDS:
            return False
        _collected[pending.order_ref] = now
        if len(_collected) > 10_000:  # orders last minutes: forget the old ones
            for order_ref, at in list(_collected.items()):
                if now - at > 600:
                    del _collected[order_ref]
        return True


def poll(session: SessionBase, pending: Pending, *, mobile: bool = False) -> State:
    """Collect the order from BankID unless that was done less than two seconds ago;
    what it says, when it changed, is kept in the session."""
    now = time.time()
    if pending.status != "pending" or not _due(pending, now):
        return state_of(pending, mobile=mobile)
    try:
        collected = client.collect(pending.order_ref)
    except BankIdError as error:
        logger.warning("BankID collect of %s: %s", pending.order_ref, error)
        if error.error_code in {"requestTimeout", "maintenance", "unavailable"}:
            # try again at the next poll
            return State("pending", pending.hint, messages.code_for_error(error.error_code))
        pending.status, pending.hint = "failed", error.error_code
        save(session, pending)
        return State("failed", error.error_code, messages.code_for_error(error.error_code))
    if (collected.status, collected.hint_code) != (pending.status, pending.hint):
        pending.status, pending.hint = collected.status, collected.hint_code
        if collected.status == "complete":
            pending.completion = collected.completion
        save(session, pending)
    return state_of(pending, mobile=mobile)


def identity_of(pending: Pending) -> Identity:
    """Who BankID says signed in (a complete order)."""
    completion = pending.completion or {}
    user = completion.get("user") or {}
    given, surname = str(user.get("givenName", "")), str(user.get("surname", ""))
    return Identity(
        personal_identity_number=str(user.get("personalNumber", "")),
        given_name=given,
        surname=surname,
        display_name=str(user.get("name") or f"{given} {surname}".strip()),
        loa=LOA,
        provider=PROVIDER,
        subject=str(user.get("personalNumber", "")),
        method="bankid",
        evidence={"orderRef": pending.order_ref, "completionData": completion},
    )
