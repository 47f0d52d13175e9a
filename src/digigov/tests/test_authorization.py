"""The authorization matrix: every page and endpoint, called by every kind of caller with the
other party's ids. A URL (or API operation, or admin model) without a row fails the suite.

The callers: nobody; two residents, Anna again signed in at too low a level, and a
guardian (Fatima Hassan, her son's guardian, who may act for him only once mandates
exist, so nothing of Anna's); staff of two
organisations in each role; a superuser; and API keys of each scope. The data: Anna
Andersson's case at Exempelby, its application and a file, and a draft of hers.

Each row says who reaches the page (any answer but a refusal: 2xx, a redirect that is not to
a sign-in, or a 400/409/422 about the input) and, for a listing, who sees Anna's case in it.
Everyone else must be stopped: 401, 403, 404, or sent to sign in. No one may get a 500.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from digigov.api import api
from digigov.cases import actions as case_actions
from digigov.conftest import ANNA, FATIMA, PDF, make_staff, sign_in_resident
from digigov.core.actors import Actor
from digigov.identity.actions import create_api_credential, save_staff_account
from digigov.messages import actions as message_actions

pytestmark = pytest.mark.django_db

ERIK = "198511224571"
# anna_low: Anna signed in at loa2; the demo's services need loa3, so she may open and
# start nothing and is listed nothing of theirs, until she signs in again
RESIDENTS = {"anna", "erik", "fatima", "anna_low"}
AT_LOA3 = RESIDENTS - {"anna_low"}
EX_HANDLING = {"ex_handlaggare", "ex_registrator"}
STAFF = {
    f"{org}_{role}"
    for org in ("ex", "prov")
    for role in ("handlaggare", "registrator", "administrator")
} | {"superuser"}
KEYS = {"key_ex_read", "key_ex_write", "key_ex_admin", "key_prov"}
EVERYONE = {"anonymous"} | RESIDENTS | STAFF | KEYS
LOGIN_PATHS = {"/logga-in/", "/personal/logga-in/", "/admin/login/"}


@dataclass(frozen=True)
class World:
    """The ids a caller puts in a URL, and what marks Anna's case in a listing."""

    case: str
    registrar_number: str
    application: str
    attachment: str
    draft: str
    organisation_id: int
    message: str = ""


@dataclass(frozen=True)
class Row:
    method: str
    path: Callable[[World], str]
    reached: frozenset[str]
    sees: frozenset[str] | None = None  # who finds Anna's case in the answer (listings)
    body: dict[str, Any] | Callable[[], dict[str, Any]] = field(default_factory=dict)
    json: bool = False


def row(
    method: str,
    path: str | Callable[[World], str],
    reached: set[str],
    sees: set[str] | None = None,
    body: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    json: bool = False,
) -> Row:
    make = path if callable(path) else (lambda world, text=path: text)
    return Row(
        method,
        make,
        frozenset(reached),
        None if sees is None else frozenset(sees),
        body or {},
        json,
    )


# -- the pages, by URL pattern ----------------------------------------------------------------

PAGES: dict[str, list[Row]] = {
    "": [row("GET", "/", EVERYONE)],
    "organisationer/<slug:slug>/": [row("GET", "/organisationer/exempelby/", EVERYONE)],
    "organisationer/<slug:slug>/diarium/": [
        row("GET", "/organisationer/exempelby/diarium/", EVERYONE, sees=EVERYONE)
    ],
    "tillganglighet/": [row("GET", "/tillganglighet/", EVERYONE)],
    "e-tjanster/": [row("GET", "/e-tjanster/", EVERYONE)],
    "e-tjanster/<slug:slug>/<str:code>/": [row("GET", "/e-tjanster/exempelby/BYGGLOV/", EVERYONE)],
    "e-tjanster/<slug:slug>/<str:code>/starta/": [
        row("POST", "/e-tjanster/exempelby/BYGGLOV/starta/", AT_LOA3)
    ],
    "mina-sidor/": [row("GET", "/mina-sidor/", RESIDENTS, sees={"anna"})],
    "mina-sidor/mina-uppgifter/": [row("GET", "/mina-sidor/mina-uppgifter/", RESIDENTS)],
    "mina-sidor/meddelanden/": [row("GET", "/mina-sidor/meddelanden/", RESIDENTS, sees={"anna"})],
    "mina-sidor/meddelanden/<str:public_id>/": [
        row("GET", lambda w: f"/mina-sidor/meddelanden/{w.message}/", {"anna"})
    ],
    "mina-sidor/mina-arenden/": [row("GET", "/mina-sidor/mina-arenden/", RESIDENTS, sees={"anna"})],
    "mina-sidor/arenden/<str:public_id>/": [
        row("GET", lambda w: f"/mina-sidor/arenden/{w.case}/", {"anna"})
    ],
    "mina-sidor/arenden/<str:public_id>/svar/": [
        row("POST", lambda w: f"/mina-sidor/arenden/{w.case}/svar/", {"anna"})
    ],
    "mina-sidor/arenden/<str:public_id>/handlingar/<int:sequence>/": [
        row("GET", lambda w: f"/mina-sidor/arenden/{w.case}/handlingar/2/", {"anna"})
    ],
    "ansokan/<str:public_id>/steg/<slug:step_id>/": [
        row("GET", lambda w: f"/ansokan/{w.draft}/steg/atgard/", {"anna"}),
        row("POST", lambda w: f"/ansokan/{w.draft}/steg/atgard/", {"anna"}),
    ],
    "ansokan/<str:public_id>/fortsatt/": [
        row("GET", lambda w: f"/ansokan/{w.draft}/fortsatt/", {"anna"})
    ],
    "ansokan/<str:public_id>/granska/": [
        row("GET", lambda w: f"/ansokan/{w.draft}/granska/", {"anna"}),
        row("POST", lambda w: f"/ansokan/{w.draft}/granska/", {"anna"}),
    ],
    # the draft is not fixed for signing yet: Anna is sent back to her answers
    "ansokan/<str:public_id>/skriv-under/": [
        row("GET", lambda w: f"/ansokan/{w.draft}/skriv-under/", {"anna"}),
        row("POST", lambda w: f"/ansokan/{w.draft}/skriv-under/", {"anna"}),
    ],
    "ansokan/<str:public_id>/skriv-under.pdf": [
        row("GET", lambda w: f"/ansokan/{w.draft}/skriv-under.pdf", set())
    ],
    "ansokan/<str:public_id>/kvitto/": [
        row("GET", lambda w: f"/ansokan/{w.application}/kvitto/", {"anna"})
    ],
    "ansokan/<str:public_id>/kvitto.pdf": [
        row("GET", lambda w: f"/ansokan/{w.application}/kvitto.pdf", {"anna"})
    ],
    "bilagor/<str:public_id>/": [row("GET", lambda w: f"/bilagor/{w.attachment}/", {"anna"})],
    "arbetsyta/": [
        row(
            "GET",
            "/arbetsyta/",
            {"ex_handlaggare", "ex_registrator", "prov_handlaggare", "prov_registrator"}
            | {"ex_administrator", "prov_administrator", "superuser"},
            sees=EX_HANDLING,
        )
    ],
    "arbetsyta/arenden/<str:public_id>/": [
        row("GET", lambda w: f"/arbetsyta/arenden/{w.case}/", EX_HANDLING)
    ],
    "arbetsyta/arenden/<str:public_id>/steg/<slug:transition_id>/": [
        row("POST", lambda w: f"/arbetsyta/arenden/{w.case}/steg/paborja/", EX_HANDLING)
    ],
    # Bygglov's decisions are not signed: the signing page is for nobody here (its scope,
    # for Serveringstillstånd, is in cases/tests/test_decision_signing.py).
    "arbetsyta/arenden/<str:public_id>/steg/<slug:transition_id>/skriv-under/": [
        row("POST", lambda w: f"/arbetsyta/arenden/{w.case}/steg/besluta/skriv-under/", set())
    ],
    "arbetsyta/arenden/<str:public_id>/beslut/": [
        row("GET", lambda w: f"/arbetsyta/arenden/{w.case}/beslut/", EX_HANDLING)
    ],
    "arbetsyta/arenden/<str:public_id>/tilldela/": [
        row("POST", lambda w: f"/arbetsyta/arenden/{w.case}/tilldela/", EX_HANDLING)
    ],
    "arbetsyta/arenden/<str:public_id>/forlang/": [
        row("POST", lambda w: f"/arbetsyta/arenden/{w.case}/forlang/", EX_HANDLING)
    ],
    "arbetsyta/arenden/<str:public_id>/handlingar/<int:sequence>/": [
        row("GET", lambda w: f"/arbetsyta/arenden/{w.case}/handlingar/2/", EX_HANDLING)
    ],
    "logga-in/": [row("GET", "/logga-in/", EVERYONE)],
    "logga-ut/": [row("POST", "/logga-ut/", EVERYONE)],
    "personal/logga-in/": [row("GET", "/personal/logga-in/", EVERYONE)],
    "personal/engangskod/": [row("GET", "/personal/engangskod/", set())],  # no password first
    "personal/logga-ut/": [row("POST", "/personal/logga-ut/", STAFF)],
    "eid/start/<slug:provider>/": [row("GET", "/eid/start/test/", EVERYONE)],
    "eid/callback/<slug:provider>": [row("GET", "/eid/callback/test", EVERYONE)],
    # BankID: the order is the browser's own (its session); no order, nothing to see
    "eid/bankid/": [row("GET", "/eid/bankid/", EVERYONE)],
    "eid/bankid/starta": [row("POST", "/eid/bankid/starta", EVERYONE)],  # 400: no device
    "eid/bankid/vantar": [row("GET", "/eid/bankid/vantar", EVERYONE)],  # back to the start
    "eid/bankid/qr": [row("GET", "/eid/bankid/qr", EVERYONE)],  # 204: no order
    "eid/bankid/hamta": [row("POST", "/eid/bankid/hamta", EVERYONE)],  # "failed": no order
    "eid/bankid/avbryt": [row("POST", "/eid/bankid/avbryt", set())],  # to the sign-in page
    "eid/bankid/tillbaka": [row("GET", "/eid/bankid/tillbaka?nonce=x", EVERYONE)],  # 400
    # the BankID simulator's virtual app: anyone may be a test person; an order is its app's
    "bankid-simulator/app/": [row("GET", "/bankid-simulator/app/", EVERYONE)],
    "bankid-simulator/app/<uuid:order_ref>/": [
        row("GET", f"/bankid-simulator/app/{uuid.uuid4()}/", set())
    ],
    "bankid-simulator/app/<uuid:order_ref>/svar": [
        row("POST", f"/bankid-simulator/app/{uuid.uuid4()}/svar", set())
    ],
    # Sweden Connect (SAML): the request is made for anyone; answers are checked in its tests
    "saml/start": [row("GET", "/saml/start", EVERYONE)],  # to the identity provider
    "saml/acs": [row("POST", "/saml/acs", EVERYONE)],  # 400: no answer
    "saml/metadata": [row("GET", "/saml/metadata", EVERYONE)],
    "saml/sls": [row("GET", "/saml/sls", EVERYONE)],  # home
    "test-idp/metadata": [row("GET", "/test-idp/metadata", EVERYONE)],
    "test-idp/sso": [row("GET", "/test-idp/sso", EVERYONE)],  # 400: no signed request
    "test-idp/slo": [row("GET", "/test-idp/slo", EVERYONE)],  # 400: no signed request
    # the test e-ID provider: its clients authenticate themselves (its own tests)
    "test-eid/": [row("GET", "/test-eid/", EVERYONE)],
    "test-eid/.well-known/openid-configuration": [
        row("GET", "/test-eid/.well-known/openid-configuration", EVERYONE)
    ],
    "test-eid/jwks": [row("GET", "/test-eid/jwks", EVERYONE)],
    "test-eid/authorize": [row("GET", "/test-eid/authorize", EVERYONE)],
    "test-eid/token": [row("POST", "/test-eid/token", set())],
    "test-eid/userinfo": [row("GET", "/test-eid/userinfo", set())],
    "exchange/global-conf": [row("GET", "/exchange/global-conf", set())],  # none published
    # behind the gateway only (its token): no caller here reaches them
    "exchange/witness/checkpoints": [row("GET", "/exchange/witness/checkpoints", set())],
    "register/api/folkbokforing/personer/<str:number>": [
        row("GET", f"/register/api/folkbokforing/personer/{ANNA}", set())
    ],
    "register/api/folkbokforing/personer/<str:number>/hushall": [
        row("GET", f"/register/api/folkbokforing/personer/{ANNA}/hushall", set())
    ],
    "register/api/fastighet/fastigheter": [
        row("GET", f"/register/api/fastighet/fastigheter?agare={ANNA}", set())
    ],
    "register/api/fastighet/fastigheter/<str:designation>": [
        row("GET", "/register/api/fastighet/fastigheter/Exempelby%20Bj%C3%B6rken%201%3A23", set())
    ],
    "register/api/dataspar/atkomster/<str:number>": [
        row("GET", f"/register/api/dataspar/atkomster/{ANNA}", set())
    ],
    "register/api/foretag/foretag/<str:number>": [
        row("GET", "/register/api/foretag/foretag/5599112231", set())
    ],
    "register/api/foretag/foretag": [
        row("GET", f"/register/api/foretag/foretag?firmatecknare={ANNA}", set())
    ],
    "mycases/api/<slug:slug>/kundhandelseFragaSynkron": [
        row("POST", "/mycases/api/exempelby/kundhandelseFragaSynkron", set(), json=True)
    ],
    "mycases/hub/kundhandelseFragaSynkron": [
        row("POST", "/mycases/hub/kundhandelseFragaSynkron", set(), json=True)
    ],
    "i18n/setlang/": [row("POST", "/i18n/setlang/", EVERYONE, body={"language": "en"})],
    "api/openapi.json": [row("GET", "/api/openapi.json", EVERYONE)],
    "api/docs": [row("GET", "/api/docs", EVERYONE)],
    # the admin's sign-in is the staff sign-in: everyone is sent there
    "admin/login/": [row("GET", "/admin/login/", set())],
}

ADMINS = {"ex_administrator", "prov_administrator", "superuser"}
# The admin's own URLs are all behind its login; each registered model has its rows.
ADMIN_SITE = {
    "": [row("GET", "/admin/", ADMINS)],
    "logout/": [row("POST", "/admin/logout/", ADMINS)],
    # staff passwords are set by an audited action (digigov staff save), not here
    "password_change/": [row("GET", "/admin/password_change/", set())],
    "password_change/done/": [row("GET", "/admin/password_change/done/", set())],
    "jsi18n/": [row("GET", "/admin/jsi18n/", ADMINS)],
    "autocomplete/": [row("GET", "/admin/autocomplete/", set())],
    "r/<path:content_type_id>/<path:object_id>/": [row("GET", "/admin/r/1/1/", set())],
    "app_list": [
        row("GET", "/admin/core/", ADMINS),
        row("GET", "/admin/django_tasks_database/", {"superuser"}),
    ],
}
ADMIN_MODELS: dict[str, list[Row]] = {
    "core.organisation": [
        row("GET", "/admin/core/organisation/", ADMINS),
        row(
            "GET",
            lambda w: f"/admin/core/organisation/{w.organisation_id}/change/",
            {"ex_administrator", "superuser"},
        ),
    ],
    "core.auditentry": [row("GET", "/admin/core/auditentry/", {"superuser"})],
    "services.serviceversion": [
        row("GET", "/admin/services/serviceversion/", ADMINS),
        row("GET", "/admin/services/serviceversion/install/", ADMINS),
    ],
    "django_tasks_database.dbtaskresult": [
        row("GET", "/admin/django_tasks_database/dbtaskresult/", {"superuser"})
    ],
}

# -- the API, by operation --------------------------------------------------------------------

CASE_KEYS = {"key_ex_read", "key_prov"}
OPERATIONS: dict[str, Row] = {
    "listOrganisations": row("GET", "/api/organisations", EVERYONE),
    "getOrganisation": row("GET", "/api/organisations/exempelby", EVERYONE),
    "normaliseIdentifier": row(
        "POST", "/api/identifiers/normalise", EVERYONE, body={"value": ANNA}, json=True
    ),
    "getMe": row("GET", "/api/me", RESIDENTS),
    "listServices": row("GET", "/api/services", EVERYONE),
    "getService": row("GET", "/api/services/exempelby/BYGGLOV", EVERYONE),
    "getServiceSchema": row("GET", "/api/services/exempelby/BYGGLOV/schema", EVERYONE),
    "createApplication": row(
        "POST",
        "/api/applications",
        AT_LOA3,
        body={"organisation": "exempelby", "service": "BYGGLOV"},
        json=True,
    ),
    "listApplications": row("GET", "/api/applications", RESIDENTS, sees={"anna"}),
    "getApplication": row("GET", lambda w: f"/api/applications/{w.application}", {"anna"}),
    "updateApplication": row(
        "PATCH", lambda w: f"/api/applications/{w.draft}", {"anna"}, body={"answers": {}}, json=True
    ),
    "addAttachment": row(
        "POST",
        lambda w: f"/api/applications/{w.draft}/attachments/situationsplan",
        {"anna"},
        body=lambda: {"file": io.BytesIO(PDF)},
    ),
    "submitApplication": row("POST", lambda w: f"/api/applications/{w.draft}/submit", {"anna"}),
    "getReceipt": row("GET", lambda w: f"/api/applications/{w.application}/receipt.pdf", {"anna"}),
    "listCases": row("GET", "/api/cases", CASE_KEYS | {"key_ex_admin"}, sees={"key_ex_read"}),
    "getCase": row("GET", lambda w: f"/api/cases/{w.case}", {"key_ex_read"}),
    "addCaseDocument": row(
        "POST",
        lambda w: f"/api/cases/{w.case}/documents",
        {"key_ex_write"},
        body={"direction": "in", "title": "Brev"},
        json=True,
    ),
    "moveCase": row(
        "POST",
        lambda w: f"/api/cases/{w.case}/transitions",
        {"key_ex_write"},
        body={"transition": "paborja", "revision": 0},
        json=True,
    ),
    "getDiary": row("GET", "/api/organisations/exempelby/diary", EVERYONE, sees=EVERYONE),
}


def _patterns(patterns: list[Any], prefix: str = "") -> list[str]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


def test_every_url_operation_and_admin_model_has_a_row():
    patterns = set(_patterns(get_resolver().url_patterns))
    api_patterns = {p for p in patterns if p.startswith("api/") and p not in PAGES}
    admin_patterns = {p for p in patterns if p.startswith("admin/") and p not in PAGES}
    pages = patterns - api_patterns - admin_patterns
    assert pages - set(PAGES) == set(), "pages without a row in the matrix"
    operations = {
        operation["operationId"]
        for path in api.get_openapi_schema()["paths"].values()
        for operation in path.values()
    }
    assert operations ^ set(OPERATIONS) == set(), "API operations without a row (or gone)"
    models = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert models ^ set(ADMIN_MODELS) == set(), "admin models without a row (or gone)"
    # the admin's own pages; each model's (its list, add, change, delete, history) go with
    # the model's rows; the catch-all answers what matches nothing
    prefixes = tuple(f"{model.replace('.', '/')}/" for model in models)
    own = {
        "app_list" if p.startswith("admin/^(?P<app_label>") else p.removeprefix("admin/")
        for p in admin_patterns
    }
    rest = {p for p in own if not p.startswith(prefixes)} - {"(?P<url>.*)$"}
    assert rest - set(ADMIN_SITE) == set(), "admin pages without a row"


# -- callers -------------------------------------------------------------------------------


@pytest.fixture
def world(services, organisation, other_organisation, bygglov_case, back_channel) -> World:
    anna = Actor.person(ANNA, "Anna Andersson")
    draft = case_actions.start_application(
        actor=anna,
        service_version=services["BYGGLOV"],
        applicant_kind="person",
        applicant_identifier=ANNA,
        actor_loa="http://id.elegnamnden.se/loa/1.0/loa3",
    )
    case_actions.add_attachment(
        actor=anna, application=draft, field_id="situationsplan", file_name="a.pdf", chunks=[PDF]
    )
    with transaction.atomic():  # as a case step sends it
        message = message_actions.send(
            actor=Actor.system("tests"),
            organisation=organisation,
            recipient=ANNA,
            message_type="case.completion_requested",
            data={
                "case_number": bygglov_case.registrar_number,
                "service_sv": "Bygglov",
                "service_en": "Building permit",
                "organisation": organisation.name,
                "message": "Skicka en ny situationsplan.",
                "due_on": "2026-12-31",
            },
            loa="http://id.elegnamnden.se/loa/1.0/loa3",
            case_public_id=bygglov_case.public_id,
            case_number=bygglov_case.registrar_number,
        )
    return World(
        case=str(bygglov_case.public_id),
        registrar_number=bygglov_case.registrar_number,
        application=str(bygglov_case.application.public_id),
        attachment=str(bygglov_case.application.attachments.first().public_id),
        draft=str(draft.public_id),
        organisation_id=organisation.pk,
        message=str(message.public_id),
    )


@pytest.fixture
def callers(world, organisation, other_organisation) -> dict[str, tuple[Client, dict[str, str]]]:
    found: dict[str, tuple[Client, dict[str, str]]] = {"anonymous": (Client(), {})}
    for name, number in (("anna", ANNA), ("erik", ERIK), ("fatima", FATIMA)):
        client = Client()
        sign_in_resident(client, number)
        found[name] = (client, {})
    low = Client()
    sign_in_resident(low, ANNA, loa="http://id.elegnamnden.se/loa/1.0/loa2")
    found["anna_low"] = (low, {})
    for short, org in (("ex", organisation), ("prov", other_organisation)):
        for role in ("handlaggare", "registrator", "administrator"):
            client = Client()
            client.force_login(make_staff(f"{short}_{role}", [(org, role)]))
            found[f"{short}_{role}"] = (client, {})
    root = Client()
    root.force_login(
        save_staff_account(
            actor=Actor.system("tests"),
            username="root",
            password="a-long-root-password-1",
            first_name="Root",
            last_name="Testsson",
            roles=[],
            superuser=True,
        )
    )
    found["superuser"] = (root, {})
    keys = {
        "key_ex_read": (organisation, ["cases:read"], "handlaggare"),
        "key_ex_write": (organisation, ["cases:write"], "handlaggare"),
        "key_ex_admin": (organisation, ["cases:read", "cases:write"], "administrator"),
        "key_prov": (other_organisation, ["cases:read", "cases:write"], "handlaggare"),
    }
    for name, (org, scopes, role) in keys.items():
        _credential, key = create_api_credential(
            actor=Actor.system("tests"), organisation=org, name=name, scopes=scopes, role=role
        )
        found[name] = (Client(), {"HTTP_AUTHORIZATION": f"Bearer {key}"})
    assert set(found) == EVERYONE
    return found


def outcome(response: Any, path: str) -> str:
    """A page's answer, its redirects followed (a GET's): sent to sign in, refused, or, for
    the admin, sent back to its index (its "no such object"), is stopped."""
    status = response.status_code
    hops = [urlsplit(url).path for url, _status in getattr(response, "redirect_chain", [])]
    if status in (301, 302, 303):
        hops.append(urlsplit(response["Location"]).path)
    if status >= 500:
        return "error"
    if status in (401, 403, 404) or any(hop in LOGIN_PATHS for hop in hops):
        return "stopped"
    if hops and hops[-1] == "/admin/" and urlsplit(path).path != "/admin/":
        return "stopped"
    if status == 405:
        return "method not allowed"
    return "reached"


def check(rows: list[Row], world: World, callers: dict[str, Any]) -> None:
    wrong = []
    for checked in rows:
        path = checked.path(world)
        for name in sorted(callers):
            client, headers = callers[name]
            send = getattr(client, checked.method.lower())
            body = checked.body() if callable(checked.body) else checked.body
            if checked.json:
                answer = send(path, body, content_type="application/json", **headers)
            elif checked.method == "GET":
                answer = send(path, body, follow=True, **headers)
            else:
                answer = send(path, body, **headers)
            got = outcome(answer, path)
            expected = "reached" if name in checked.reached else "stopped"
            if got != expected:
                wrong.append(f"{checked.method} {path} as {name}: {got} ({answer.status_code})")
            elif checked.sees is not None and got == "reached":
                found = world.case in answer.content.decode(
                    errors="replace"
                ) or world.registrar_number in answer.content.decode(errors="replace")
                if found != (name in checked.sees):
                    wrong.append(
                        f"{checked.method} {path} as {name}: "
                        f"{'sees' if found else 'does not see'} Anna's case"
                    )
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("pattern", sorted(PAGES))
def test_pages(pattern, world, callers):
    check(PAGES[pattern], world, callers)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_api(operation, world, callers):
    check([OPERATIONS[operation]], world, callers)


@pytest.mark.parametrize("name", sorted(ADMIN_SITE) + sorted(ADMIN_MODELS))
def test_admin(name, world, callers):
    check(ADMIN_SITE.get(name) or ADMIN_MODELS[name], world, callers)
