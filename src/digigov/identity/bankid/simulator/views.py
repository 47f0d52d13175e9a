"""The virtual BankID app: a demo visitor is one of the test people and scans an order's
QR (pastes its text, or picks a picture of it), or is sent here by "BankID on this
device", and then approves or cancels, as they would in the real app."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from digigov.core import clients
from digigov.identity.bankid.simulator import actions, rules
from digigov.identity.models import SimulatedBankIdOrder

PERSON_KEY = "bankid_app_person"
PICTURE_LIMIT = 5 * 1024 * 1024

ERRORS = {
    "not_a_bankid_qr": gettext_lazy("Det där är inte en QR-kod från BankID."),
    "qr_stale": gettext_lazy(
        "QR-koden stämmer inte eller är för gammal. Läs av den som visas just nu."
    ),
    "unknown_order": gettext_lazy("Appen hittar ingen sådan beställning."),
    "order_over": gettext_lazy("Beställningen är redan avslutad eller har gått ut."),
    "order_taken": gettext_lazy("Beställningen har redan öppnats i en app."),
    "not_for_you": gettext_lazy(
        "Beställningen gäller någon annan: det finns inget BankID i appen som passar."
    ),
    "unknown_person": gettext_lazy("Välj en av testpersonerna."),
    "no_picture_code": gettext_lazy("Appen hittade ingen QR-kod i bilden."),
    "picture_too_big": gettext_lazy("Bilden är för stor (högst 5 MB)."),
    "nothing_scanned": gettext_lazy("Klistra in QR-kodens text eller välj en bild av den."),
}


def _enabled() -> None:
    if not settings.BANKID_SIMULATOR:
        raise Http404


def _person(request: HttpRequest) -> str:
    chosen = request.POST.get("person") or request.session.get(PERSON_KEY, "")
    return chosen if rules.person(chosen) is not None else ""


def _read_picture(request: HttpRequest) -> str:
    """The text of the QR in an uploaded picture, as the app's camera would read it."""
    picture = request.FILES.get("picture")
    if picture is None:
        return ""
    if picture.size is None or picture.size > PICTURE_LIMIT:
        raise actions.AppError("picture_too_big")
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(picture) as image:
            image.load()
            found = zxingcpp.read_barcodes(image.convert("L"))
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise actions.AppError("no_picture_code") from error
    texts = [code.text for code in found if code.text]
    if not texts:
        raise actions.AppError("no_picture_code")
    return texts[0]


def _page(
    request: HttpRequest, *, error: str = "", status: int = 200, token: str = ""
) -> HttpResponse:
    context = {
        "people": rules.people(),
        "scenarios": rules.SCENARIOS,
        "person": _person(request),
        "error": error,
        "token": token,
    }
    return render(request, "identity/bankid_app.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def app(request: HttpRequest) -> HttpResponse:
    """Scan a QR, or (with `autostarttoken`) open the order this device started."""
    _enabled()
    token = request.GET.get("autostarttoken") or request.POST.get("autostarttoken", "")
    if request.method != "POST":
        return _page(request, token=token)
    number = _person(request)
    if not number:
        return _page(request, error=str(ERRORS["unknown_person"]), status=400, token=token)
    request.session[PERSON_KEY] = number
    device_ip = clients.address(request)
    try:
        if token:
            order = actions.open_with_token(token, number, device_ip)
        else:
            text = request.POST.get("qr", "").strip() or _read_picture(request)
            if not text:
                raise actions.AppError("nothing_scanned")
            order = actions.scan(text, number, device_ip)
    except actions.AppError as error:
        return _page(request, error=str(ERRORS[error.code]), status=400, token=token)
    return redirect("identity:bankid-app-order", order_ref=order.order_ref)


def _order(request: HttpRequest, order_ref: str) -> SimulatedBankIdOrder:
    number = request.session.get(PERSON_KEY, "")
    try:
        order = SimulatedBankIdOrder.objects.get(order_ref=order_ref, person=number)
    except (SimulatedBankIdOrder.DoesNotExist, ValidationError) as error:
        raise Http404 from error
    return order


@require_http_methods(["GET", "HEAD"])
@never_cache
def order(request: HttpRequest, order_ref: str) -> HttpResponse:
    """What the order asks of the person: identify, or sign the text shown."""
    _enabled()
    found = _order(request, order_ref)
    person = rules.person(found.person)
    context = {"order": found, "person": person, "messages_by_hint": _outcome(found)}
    return render(request, "identity/bankid_app_order.html", context)


def _outcome(order: SimulatedBankIdOrder) -> str:
    if order.status == SimulatedBankIdOrder.Status.COMPLETE:
        return _("Klart. Gå tillbaka till sidan där du började.")
    if order.hint_code == "userCancel":
        return _("Du avbröt.")
    if order.hint_code == "certificateErr":
        return _("Det här BankID:t är spärrat eller för gammalt (testpersonens scenario).")
    if order.hint_code == "startFailed":
        return _("Appen kunde inte starta beställningen (testpersonens scenario).")
    if order.status == SimulatedBankIdOrder.Status.FAILED:
        return _("Beställningen är avslutad.")
    return ""


@require_POST
def decide(request: HttpRequest, order_ref: str) -> HttpResponse:
    """Approve (enter the security code) or cancel."""
    _enabled()
    found = _order(request, order_ref)
    try:
        if "approve" in request.POST:
            found = actions.approve(found.order_ref, found.person)
        else:
            found = actions.decline(found.order_ref, found.person)
    except actions.AppError as error:
        context = {
            "order": found,
            "person": rules.person(found.person),
            "error": ERRORS[error.code],
        }
        return render(request, "identity/bankid_app_order.html", context, status=400)
    if found.return_url:
        # BankID on this device: the app sends the person back where the order said
        return redirect(found.return_url)
    return redirect(reverse("identity:bankid-app-order", args=[found.order_ref]))
