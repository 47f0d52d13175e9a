"""The BankID simulator's orders, from start to complete or failed, on the platform's clock.

The relying party's calls (`start`, `collect`, `cancel`) and the virtual app's (`scan`,
`open`, `approve`, `decline`) each run as one transaction that locks the order, so a
collect and an approval at the same moment see one another whole.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.transactions import action
from digigov.identity.bankid import qr
from digigov.identity.bankid.simulator import evidence, rules
from digigov.identity.bankid.simulator.rules import ApiError
from digigov.identity.models import BankIdSimulatorFault, SimulatedBankIdOrder

Status = SimulatedBankIdOrder.Status
WAITING = ("outstandingTransaction", "noClient", "started")


class AppError(Exception):
    """What the virtual app cannot do with an order: `code` names it for the page."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _uuid() -> str:
    return str(uuid.uuid4())


def _fail(order: SimulatedBankIdOrder, hint: str, now: dt.datetime) -> None:
    order.status = Status.FAILED
    order.hint_code = hint
    order.finished_at = now
    order.save(update_fields=["status", "hint_code", "finished_at"])


def _expire(order: SimulatedBankIdOrder, now: dt.datetime) -> None:
    """A pending order past its time fails, as BankID's does (expiredTransaction)."""
    if order.status == Status.PENDING and now - order.created_at > dt.timedelta(
        seconds=rules.ORDER_SECONDS
    ):
        _fail(order, "expiredTransaction", now)


def _pending_for(number: str) -> Q:
    return Q(status=Status.PENDING) & (Q(person=number) | Q(personal_number=number))


def start(request: rules.OrderRequest, relying_party: str) -> dict[str, str]:
    """A new order. One for a person who has one in progress aborts both
    (alreadyInProgress), as BankID does: the running one ends, and stays ended."""
    if request.personal_number and _abort_running(request.personal_number):
        raise ApiError("alreadyInProgress", "Order already in progress for pno")
    return _create(request, relying_party)


@action
def _abort_running(number: str) -> bool:
    now = clock.now()
    aborted = False
    for order in SimulatedBankIdOrder.objects.select_for_update().filter(_pending_for(number)):
        _expire(order, now)
        if order.status == Status.PENDING:
            _fail(order, "cancelled", now)
            aborted = True
    return aborted


@action
def _create(request: rules.OrderRequest, relying_party: str) -> dict[str, str]:
    now = clock.now()
    kept = now - dt.timedelta(seconds=rules.ORDER_SECONDS + rules.KEPT_SECONDS)
    SimulatedBankIdOrder.objects.filter(created_at__lt=kept).delete()
    order = SimulatedBankIdOrder.objects.create(
        order_ref=_uuid(),
        operation=request.operation,
        relying_party=relying_party,
        end_user_ip=request.end_user_ip,
        personal_number=request.personal_number,
        user_visible_data=request.user_visible_data,
        user_non_visible_data=request.user_non_visible_data,
        return_url=request.return_url,
        return_risk=request.return_risk,
        auto_start_token=_uuid(),
        qr_start_token=_uuid(),
        qr_start_secret=_uuid(),
        created_at=now,
    )
    return {
        "orderRef": order.order_ref,
        "autoStartToken": order.auto_start_token,
        "qrStartToken": order.qr_start_token,
        "qrStartSecret": order.qr_start_secret,
    }


def _relying_partys(order_ref: str, relying_party: str) -> SimulatedBankIdOrder:
    order = (
        SimulatedBankIdOrder.objects.select_for_update()
        .filter(order_ref=order_ref, relying_party=relying_party)
        .first()
    )
    if order is None:
        raise rules.invalid("No such order")
    return order


@action
def collect(order_ref: str, relying_party: str) -> dict[str, Any]:
    now = clock.now()
    order = _relying_partys(order_ref, relying_party)
    _expire(order, now)
    answer: dict[str, Any] = {"orderRef": order.order_ref, "status": order.status}
    if order.status == Status.COMPLETE:
        answer["completionData"] = order.completion
    else:
        answer["hintCode"] = order.hint_code
    return answer


@action
def cancel(order_ref: str, relying_party: str) -> None:
    """The relying party gives up on an order: it is gone (a later collect finds nothing)."""
    order = _relying_partys(order_ref, relying_party)
    order.delete()


# -- the virtual app -----------------------------------------------------------


def _take(order: SimulatedBankIdOrder, number: str, device_ip: str, now: dt.datetime) -> str | None:
    """The person's app has the order: it asks them to sign, or plays their failure.
    An order of theirs already waiting elsewhere is cancelled, as BankID does. Returns
    what the app cannot do (kept: the order shows it was started), or None."""
    if rules.person(number) is None:
        raise AppError("unknown_person")
    failure = rules.scenario(number)
    if failure:
        order.person = number
        order.save(update_fields=["person"])
        _fail(order, failure, now)
        return None
    if order.personal_number and order.personal_number != number:
        # the order is for someone else: this app has no BankID that fits it
        order.hint_code = "started"
        order.save(update_fields=["hint_code"])
        return "not_for_you"
    others = SimulatedBankIdOrder.objects.select_for_update().filter(_pending_for(number))
    for other in others.exclude(pk=order.pk):
        _fail(other, "cancelled", now)
    order.person = number
    order.device_ip = device_ip
    order.hint_code = "userSign"
    order.save(update_fields=["person", "device_ip", "hint_code"])
    return None


def _taken(outcome: tuple[SimulatedBankIdOrder, str | None]) -> SimulatedBankIdOrder:
    order, problem = outcome
    if problem:
        raise AppError(problem)
    return order


def _waiting(order: SimulatedBankIdOrder | None, now: dt.datetime) -> SimulatedBankIdOrder:
    if order is None:
        raise AppError("unknown_order")
    _expire(order, now)
    if order.status != Status.PENDING:
        raise AppError("order_over")
    if order.hint_code not in WAITING:
        raise AppError("order_taken")
    return order


def scan(text: str, number: str, device_ip: str) -> SimulatedBankIdOrder:
    """The app reads a QR: it must be an order's, with the right code for the seconds
    since that order began (give or take one)."""
    return _taken(_scan(text, number, device_ip))


@action
def _scan(text: str, number: str, device_ip: str) -> tuple[SimulatedBankIdOrder, str | None]:
    now = clock.now()
    scanned = qr.parse(text)
    if scanned is None:
        raise AppError("not_a_bankid_qr")
    order = _waiting(
        SimulatedBankIdOrder.objects.select_for_update()
        .filter(qr_start_token=scanned.start_token)
        .first(),
        now,
    )
    elapsed = (now - order.created_at).total_seconds()
    if not qr.matches(text, order.qr_start_token, order.qr_start_secret, elapsed):
        raise AppError("qr_stale")
    return order, _take(order, number, device_ip, now)


def open_with_token(token: str, number: str, device_ip: str) -> SimulatedBankIdOrder:
    """The app is started on the person's own device with the order's autostart token."""
    return _taken(_open_with_token(token, number, device_ip))


@action
def _open_with_token(
    token: str, number: str, device_ip: str
) -> tuple[SimulatedBankIdOrder, str | None]:
    now = clock.now()
    try:
        token = str(uuid.UUID(token))
    except ValueError as error:
        raise AppError("unknown_order") from error
    order = _waiting(
        SimulatedBankIdOrder.objects.select_for_update().filter(auto_start_token=token).first(),
        now,
    )
    return order, _take(order, number, device_ip, now)


def _persons(order_ref: str, number: str, now: dt.datetime) -> SimulatedBankIdOrder:
    order = (
        SimulatedBankIdOrder.objects.select_for_update()
        .filter(order_ref=order_ref, person=number)
        .first()
    )
    if order is None:
        raise AppError("unknown_order")
    _expire(order, now)
    if order.status != Status.PENDING or order.hint_code != "userSign":
        raise AppError("order_over")
    return order


@action
def approve(order_ref: str, number: str) -> SimulatedBankIdOrder:
    """The person enters their security code: the order is complete."""
    now = clock.now()
    order = _persons(order_ref, number, now)
    person = rules.person(number)
    if person is None:
        raise AppError("unknown_person")
    name = f"{person.given_name} {person.surname}"
    signature, ocsp = evidence.complete(
        order_ref=order.order_ref,
        visible=order.user_visible_data,
        non_visible=order.user_non_visible_data,
        number=number,
        name=name,
        device_ip=order.device_ip,
    )
    completion: dict[str, Any] = {
        "user": {
            "personalNumber": number,
            "name": name,
            "givenName": person.given_name,
            "surname": person.surname,
        },
        "device": {"ipAddress": order.device_ip, "uhi": rules.device_id(number)},
        "bankIdIssueDate": rules.issue_date(number),
        "signature": signature,
        "ocspResponse": ocsp,
    }
    if order.return_risk:
        completion["risk"] = "low"
    order.status = Status.COMPLETE
    order.hint_code = ""
    order.completion = completion
    order.finished_at = now
    order.save(update_fields=["status", "hint_code", "completion", "finished_at"])
    return order


@action
def decline(order_ref: str, number: str) -> SimulatedBankIdOrder:
    """The person presses Cancel in the app."""
    now = clock.now()
    order = _persons(order_ref, number, now)
    _fail(order, "userCancel", now)
    return order


# -- faults ----------------------------------------------------------------------


@action
def set_fault(kind: str, *, actor: Actor) -> None:
    """Make the simulator play a fault for every call ("" to stop)."""
    BankIdSimulatorFault.objects.all().delete()
    if kind:
        BankIdSimulatorFault.objects.create(kind=kind, set_at=clock.now())
    audit.record(
        actor=actor,
        action="bankid_simulator.fault_set",
        object_type="bankid_simulator",
        object_id="fault",
        data={"kind": kind or "none"},
    )
