"""Signing in with BankID: choose the device, then the QR (another device) or the app
(this device), collected until BankID says complete or failed.

Every page works without JavaScript: the waiting page refreshes itself and collects
as it loads. With JavaScript (static/identity/bankid.js) it fetches each second's QR
and collects every two seconds in place, and cancels the order when the person leaves.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages as django_messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.core import clients
from digigov.identity import actions, loa
from digigov.identity import views as sign_in_views
from digigov.identity.bankid import flow, messages
from digigov.identity.bankid.client import BankIdError
from digigov.identity.signing import NotSigned, ToSign

logger = logging.getLogger(__name__)

DEVICES = ("this", "qr")


def _mobile(request: HttpRequest) -> bool:
    return "Mobi" in request.headers.get("User-Agent", "")


def _launch_url(request: HttpRequest, pending: flow.Pending) -> str:
    """How this device's BankID app is started: BankID's universal link, or with the
    simulator its virtual app. The app returns to the returnUrl given with the order."""
    if settings.BANKID_SIMULATOR:
        return f"{reverse('identity:bankid-app')}?{urlencode({'autostarttoken': pending.auto_start_token})}"
    query = urlencode({"autostarttoken": pending.auto_start_token, "redirect": "null"})
    return f"https://app.bankid.com/?{query}"


def _choose(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "next": sign_in_views.safe_next(
            request, request.POST.get("next") or request.GET.get("next")
        ),
        "required": sign_in_views.required_level(request) or request.POST.get("loa", ""),
        "question": messages.text("RFA20"),
        "error": error,
        "simulator": settings.BANKID_SIMULATOR,
        "app_url": reverse("identity:bankid-app"),
        "personal": sign_in_views.for_staff(request),
    }
    return render(request, "identity/bankid_choose.html", context, status=status)


@require_safe
@never_cache
def choose(request: HttpRequest) -> HttpResponse:
    """BankID on this device, or on another (a QR)."""
    return _choose(request)


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    device = request.POST.get("device", "")
    if device not in DEVICES:
        return _choose(request, error=_("Välj var du har ditt BankID."), status=400)
    required = request.POST.get("loa", "")
    if required and not loa.level(required):
        required = ""
    if required and not loa.satisfies(flow.LOA, required):
        return sign_in_views.sign_in_error(request, "insufficient_loa", 403)
    try:
        flow.begin(
            request.session,
            end_user_ip=clients.address(request),
            device=device,
            next_url=sign_in_views.safe_next(request, request.POST.get("next")),
            required=required,
            return_url=settings.PUBLIC_URL + reverse("identity:bankid-return"),
            staff=sign_in_views.for_staff(request),
        )
    except BankIdError as error:
        rfa = messages.code_for_error(error.error_code)
        return _choose(request, error=messages.text(rfa), status=messages.status_for(rfa))
    return redirect("identity:bankid-wait")


def _finish(request: HttpRequest, pending: flow.Pending) -> HttpResponse:
    """A complete order: the person is signed in, or their signature kept (if it signs
    exactly what they were shown), and sent on."""
    flow.save(request.session, None)
    if pending.operation != "sign":
        return sign_in_views.complete_sign_in(
            request, flow.identity_of(pending), pending.required, pending.next, staff=pending.staff
        )
    try:
        actions.record_signature(
            purpose=pending.purpose,
            expected=ToSign(pending.sign_text, pending.sign_digest),
            signer=pending.signer,
            completion=pending.completion or {},
            order_ref=pending.order_ref,
        )
    except NotSigned as error:
        logger.warning("a BankID signature was not kept: %s", error)
        django_messages.error(
            request, _("Underskriften gick inte att kontrollera och sparades inte. Försök igen.")
        )
    return redirect(pending.next)


def _back(pending: flow.Pending) -> str:
    """Where to start again: a signature's own page, or the choice of device."""
    if pending.operation == "sign":
        return pending.next
    return f"{reverse('identity:bankid')}?{urlencode({'next': pending.next})}"


def _waiting_page(request: HttpRequest, pending: flow.Pending, state: flow.State) -> HttpResponse:
    over = state.status == "failed"
    context = {
        "pending": pending,
        "state": state,
        "over": over,
        "qr_svg": flow.qr_svg(pending) if pending.qr and not over else "",
        "launch_url": "" if pending.qr or over else _launch_url(request, pending),
        "simulator": settings.BANKID_SIMULATOR,
        "qr_text": flow.qr_text(pending) if settings.BANKID_SIMULATOR and pending.qr else "",
        "refresh": 1 if pending.qr else 2,
        "retry_url": _back(pending),
    }
    return render(request, "identity/bankid_wait.html", context, status=200)


@require_safe
@never_cache
def wait(request: HttpRequest) -> HttpResponse:
    """The order's page: the QR or the app's button, and BankID's message. Loading it
    collects the order (without JavaScript it reloads itself to do so)."""
    pending = flow.load(request.session)
    if pending is None:
        return redirect("identity:bankid")
    state = flow.poll(request.session, pending, mobile=_mobile(request))
    if state.status == "complete":
        return _finish(request, pending)
    return _waiting_page(request, pending, state)


@require_safe
@never_cache
def qr_image(request: HttpRequest) -> HttpResponse:
    """This second's QR (for the script that swaps it in every second), and with the
    simulator its text."""
    pending = flow.load(request.session)
    if pending is None or not pending.qr or pending.status != "pending":
        return HttpResponse(status=204)
    answer = {"svg": flow.qr_svg(pending)}
    if settings.BANKID_SIMULATOR:
        answer["text"] = flow.qr_text(pending)
    return JsonResponse(answer)


@require_POST
@never_cache
def collect(request: HttpRequest) -> JsonResponse:
    """Collect the order (for the script, every two seconds); on complete the person is
    signed in and told where to go."""
    pending = flow.load(request.session)
    if pending is None:
        return JsonResponse(
            {
                "status": "failed",
                "message": messages.text("RFA3"),
                "next": reverse("identity:bankid"),
            }
        )
    state = flow.poll(request.session, pending, mobile=_mobile(request))
    if state.status == "complete":
        response = _finish(request, pending)
        if response.status_code != 302:
            return JsonResponse({"status": "failed", "next": reverse("identity:bankid-wait")})
        return JsonResponse({"status": "complete", "next": response["Location"]})
    return JsonResponse({"status": state.status, "hint": state.hint, "message": state.message})


@require_http_methods(["POST"])
def cancel(request: HttpRequest) -> HttpResponse:
    """The person cancels, or leaves the page (the script tells us then)."""
    pending = flow.load(request.session)
    flow.abandon(request.session)
    if request.headers.get("Sec-Fetch-Mode") in {"no-cors", "cors"}:
        return HttpResponse(status=204)
    if pending is not None and pending.operation == "sign":
        return redirect(pending.next)
    next_url = pending.next if pending else reverse("web:home")
    return redirect(f"{reverse('identity:sign-in')}?{urlencode({'next': next_url})}")


@require_safe
@never_cache
def returned(request: HttpRequest) -> HttpResponse:
    """The app sends the person back here (the order's returnUrl): only with the nonce
    this browser's order was given, or nobody is signed in."""
    pending = flow.load(request.session)
    nonce = request.GET.get("nonce", "")
    if pending is None or pending.device != "this" or not flow.nonce_matches(pending, nonce):
        return sign_in_views.sign_in_error(request, "state_invalid")
    flow.collect_now(pending)  # the app has just finished: ask now
    state = flow.poll(request.session, pending, mobile=_mobile(request))
    if state.status == "complete":
        return _finish(request, pending)
    return _waiting_page(request, pending, state)
