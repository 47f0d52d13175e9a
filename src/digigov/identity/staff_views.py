"""Staff sign-in: password (with a second factor where required) or e-ID, and out."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.core import clients
from digigov.identity import actions, queries
from digigov.identity.forms import StaffSignInForm


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
            else:
                login(request, user)
                actions.sign_in_staff(user=user, client_address=address)
                return redirect(_staff_next(request))
    elif request.method == "POST":
        status = 400
    return render(request, "identity/staff_sign_in.html", {"form": form}, status=status)


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
