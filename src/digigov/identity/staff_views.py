"""Staff sign-in: password (with a second factor where required) or e-ID, and out."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.core import clients
from digigov.identity import actions, loa, queries, second_factor, staff_session
from digigov.identity.forms import StaffSignInForm
from digigov.identity.port import Identity


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def staff_sign_in(request: HttpRequest) -> HttpResponse:
    form = StaffSignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = clients.throttle_key(clients.address(request))
        if queries.staff_sign_in_throttled(username, address, settings.STAFF_LOGIN_ATTEMPTS):
            form.add_error(
                None,
                _(
                    "För många misslyckade inloggningar. Vänta 15 minuter och försök igen, "
                    "eller kontakta din administratör."
                ),
            )
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                actions.record_failed_staff_sign_in(username=username, client_address=address)
                form.add_error(None, _("Fel användarnamn eller lösenord."))
                status = 400
            elif queries.second_factor_needed(user):
                # the password was right; the one-time code is still to come
                request.session.cycle_key()
                request.session[PENDING_KEY] = {
                    "user": user.pk,
                    "at": time.time(),
                    "next": _staff_next(request),
                }
                return redirect("identity:staff-second-factor")
            else:
                return _signed_in(request, user, address, "password", _staff_next(request))
    elif request.method == "POST":
        status = 400
    context = {"form": form, "providers": _eid_providers(request)}
    return render(request, "identity/staff_sign_in.html", context, status=status)


PENDING_KEY = "staff_second_factor"
PENDING_SECONDS = 300


def _signed_in(
    request: HttpRequest, user: AbstractBaseUser, address: str, method: str, next_url: str
) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # type: ignore[arg-type]
    actions.sign_in_staff(user=user, client_address=address, method=method)
    staff_session.start(request, user)
    return redirect(next_url)


def _eid_providers(request: HttpRequest) -> list[dict[str, str]]:
    from digigov.identity.views import provider_list

    offered = set(settings.STAFF_EID_PROVIDERS)
    next_url = _staff_next(request)
    return [
        {**found, "url": f"{reverse('identity:start', args=[found['name']])}?"
         f"{urlencode({'next': next_url, 'personal': '1'})}"}
        for found in provider_list(request)
        if found["name"] in offered
    ]  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """The one-time code after the password; the first time, setting up the app."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.warning(request, _("Inloggningen tog för lång tid. Börja om."))
        return redirect("identity:staff-login")
    user = get_user_model().objects.get(pk=pending["user"])
    factor = queries.second_factor_of(user)
    secret = ""
    if factor is None or factor.confirmed_at is None:
        secret = (
            second_factor.opened(factor.sealed_secret)
            if factor is not None
            else actions.begin_second_factor(user=user)
        )
    error, status = "", 200
    if request.method == "POST":
        address = clients.throttle_key(clients.address(request))
        username = user.get_username()
        if queries.staff_sign_in_throttled(username, address, settings.STAFF_LOGIN_ATTEMPTS):
            error, status = _("För många felaktiga koder. Vänta 15 minuter och försök igen."), 429
        elif actions.use_second_factor(user=user, code=request.POST.get("code", "")):
            request.session.pop(PENDING_KEY, None)
            return _signed_in(request, user, address, "password+totp", pending["next"])
        else:
            actions.record_failed_staff_sign_in(username=username, client_address=address)
            error, status = _("Koden stämmer inte. Ange den som appen visar just nu."), 400
    context = {
        "setting_up": bool(secret),
        "qr_svg": second_factor.qr_svg(secret, user.get_username()) if secret else "",
        "secret": second_factor.grouped(secret) if secret else "",
        "error": error,
    }
    return render(request, "identity/staff_second_factor.html", context, status=status)


def complete_staff_sign_in(request: HttpRequest, identity: Identity, next_url: str) -> HttpResponse:
    """An e-ID sign-in begun from the staff sign-in page: the account tied to the number,
    at level 3 or more (e-ID needs no second factor)."""
    from digigov.identity.views import sign_in_error

    user = queries.staff_by_eid(identity.personal_identity_number)
    if user is None:
        return sign_in_error(request, "no_staff_account", 403)
    if not loa.satisfies(identity.loa, loa.LOA3):
        return sign_in_error(request, "insufficient_loa", 403)
    address = clients.throttle_key(clients.address(request))
    target = next_url if url_has_allowed_host_and_scheme(next_url, {request.get_host()}) else ""
    return _signed_in(
        request, user, address, f"eid:{identity.provider}", target or reverse("web:workspace")
    )


def _staff_next(request: HttpRequest) -> str:
    candidate = request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}):
        return candidate
    return reverse("web:workspace")


@require_safe
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's sign-in is the staff sign-in: one way in, with its throttle and audit."""
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('identity:staff-login')}?{urlencode({'next': next_url})}")


@require_POST
@login_required
def staff_sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("Du är utloggad."))
    return redirect("web:home")
