"""Fixtures shared by every module's tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from digigov.core import clock
from digigov.core.actors import Actor
from digigov.core.models import Organisation

CHROMIUM = os.environ.get("DIGIGOV_CHROMIUM", "/usr/bin/chromium")


def pytest_configure(config: pytest.Config) -> None:
    from digigov.tests import writes

    writes.watch()


@pytest.fixture(autouse=True)
def _writes_go_through_actions() -> Iterator[None]:
    """DESIGN 6: every change goes through an action (digigov.tests.writes)."""
    from digigov.tests import writes

    writes.take()
    yield
    found = writes.take()
    if found:
        pytest.fail("writes outside actions:\n" + "\n".join(found), pytrace=False)


@pytest.fixture(autouse=True)
def _problems_speak_both_languages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every API problem's detail is "English / Swedish", and the English is English: a
    message translated before it reached the problem comes out the same twice."""
    from digigov.core import problems

    untranslated: list[str] = []
    answer = problems.response

    def checked(request: Any, status: int, slug: str, detail: str, errors: Any = None) -> Any:
        for text in [detail, *(e["detail"] for e in errors or [])]:
            english, _sep, swedish = str(text).partition(" / ")
            if english == swedish:
                untranslated.append(f"{request.path}: {text}")
        return answer(request, status, slug, detail, errors)

    monkeypatch.setattr(problems, "response", checked)
    yield
    if untranslated:
        pytest.fail("problem details not in both languages:\n" + "\n".join(untranslated))


def pytest_sessionstart(session: pytest.Session) -> None:
    """In CI a missing browser or database fails the run instead of skipping."""
    required = os.environ.get("DIGIGOV_REQUIRE_DATABASE")
    engine = settings.DATABASES["default"]["ENGINE"]
    expected = {"postgresql": "postgresql", "sqlite": "sqlite3"}.get(required or "", "")
    if required and not engine.endswith(f".{expected or required}"):
        raise pytest.UsageError(f"DIGIGOV_REQUIRE_DATABASE={required} but the database is {engine}")
    if os.environ.get("CI") and not shutil.which(CHROMIUM):
        raise pytest.UsageError(f"CI needs Chromium at {CHROMIUM} for the browser tests")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """SQLite's write-ahead files outlive the test database Django removes: remove them."""
    name = settings.DATABASES["default"].get("TEST", {}).get("NAME") or ""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and name:
        for leftover in Path(name).parent.glob(f"{Path(name).name}*"):
            leftover.unlink(missing_ok=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (CI fails instead of skipping)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def live_server(live_server: Any, settings: Any) -> Any:
    """pytest-django's live server, as the installation's public address (the test e-ID's
    issuer and the links in answers are there)."""
    settings.PUBLIC_URL = live_server.url
    return live_server


@pytest.fixture
def system_actor() -> Actor:
    return Actor.system("tests")


def make_organisation(slug: str, name: str, number: str, code: str) -> Organisation:
    from digigov.core.actions import save_organisation

    return save_organisation(
        actor=Actor.system("tests"),
        slug=slug,
        name=name,
        kind="kommun",
        organisation_number=number,
        municipality_code=code,
    )


@pytest.fixture
def organisation(db: Any) -> Organisation:
    return make_organisation("exempelby", "Exempelby kommun", "212000-9994", "9991")


@pytest.fixture
def other_organisation(db: Any) -> Organisation:
    return make_organisation("provstad", "Provstad kommun", "212000-9986", "9992")


STAFF_PASSWORD = "a-long-test-password-1"  # noqa: S105 - test accounts only


def make_staff(username: str, roles: list[tuple[Organisation, str]]) -> Any:
    from digigov.identity.actions import save_staff_account

    return save_staff_account(
        actor=Actor.system("tests"),
        username=username,
        password=STAFF_PASSWORD,
        first_name=username.capitalize(),
        last_name="Testsson",
        roles=roles,
    )


@pytest.fixture
def case_worker(organisation: Organisation) -> Any:
    """Hanna, case worker (handläggare) at Exempelby."""
    return make_staff("hanna", [(organisation, "handlaggare")])


class DjangoClientTransport(httpx.BaseTransport):
    """Routes the relying party's back-channel calls into Django's test client.

    The requests still pass through URL routing, middleware and the provider's
    views; only the socket is left out, since the test client has no server.
    """

    def __init__(self) -> None:
        self.client = Client()
        self.calls: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.path}")
        headers = {
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in request.headers.items()
            if name.lower() not in {"content-type", "content-length", "host"}
        }
        response = self.client.generic(
            request.method,
            request.url.raw_path.decode(),
            data=request.read(),
            content_type=request.headers.get("content-type", ""),
            **headers,
        )
        return httpx.Response(
            response.status_code,
            headers=dict(response.items()),
            content=response.content,
        )


@pytest.fixture
def back_channel(db: Any) -> Iterator[DjangoClientTransport]:
    from digigov.identity import oidc

    transport = DjangoClientTransport()
    oidc.transport = transport
    oidc._discovery_cache.clear()
    yield transport
    oidc.transport = None
    oidc._discovery_cache.clear()


@pytest.fixture
def database_vendor() -> str:
    return connection.vendor


@pytest.fixture
def registers_loaded(db: Any) -> None:
    from digigov.registers.actions import load_synthetic

    load_synthetic(actor=Actor.system("tests"), extra_households=3)


@pytest.fixture
def services(organisation: Organisation, registers_loaded: None) -> dict[str, Any]:
    """The three shipped packages, installed for Exempelby."""
    from digigov.services import actions, package

    return {
        loaded.spec.code: actions.install_package(
            actor=Actor.system("tests"), organisation=organisation, spec=loaded.spec
        )
        for loaded in (package.load(folder) for folder in package.built_in_packages())
    }


@pytest.fixture(autouse=True, scope="session")
def _test_ports(worker_id: str) -> None:
    """Each pytest-xdist worker takes its gateways' ports from a range of its own."""
    from digigov.exchange.testing import use_worker

    use_worker(worker_id)


@pytest.fixture(autouse=True)
def _empty_cache(request: pytest.FixtureRequest) -> None:
    """Each test with a database starts with an empty cache (a table in it; the hub keeps
    answers there, and a transactional test's flush leaves it)."""
    from django.core.cache import cache

    wants = {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None and not wants:
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in wants else "db")
    cache.clear()


@pytest.fixture(autouse=True)
def attachment_root(tmp_path_factory: pytest.TempPathFactory, settings: Any) -> Any:
    """Each test stores attachments in its own folder."""
    settings.ATTACHMENT_ROOT = tmp_path_factory.mktemp("attachments")
    return settings.ATTACHMENT_ROOT


@pytest.fixture(autouse=True)
def anchor_dir(tmp_path_factory: pytest.TempPathFactory, settings: Any) -> Any:
    """Each test anchors the logs' heads in its own folder, with no witness."""
    settings.ANCHOR_DIR = tmp_path_factory.mktemp("anchors")
    settings.ANCHOR_WITNESS = ""
    return settings.ANCHOR_DIR


class TimeMachine:
    """Moves the platform's clock (digigov.core.clock) for one test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.offset = dt.timedelta(0)
        real_now = clock.now

        monkeypatch.setattr(clock, "now", lambda: real_now() + self.offset)

    def forward(self, **amount: float) -> None:
        self.offset += dt.timedelta(**amount)


@pytest.fixture
def travel(monkeypatch: pytest.MonkeyPatch) -> TimeMachine:
    return TimeMachine(monkeypatch)


BYGGLOV_ANSWERS = {
    "ar_agare": True,
    "atgard": "garage_carport",
    "byggnadstyp": "komplementbyggnad",
    "bruttoarea": "36",
    "beskrivning": "Ett garage i trä, faluröd kulör.",
    "epost": "anna@exempel.se",
}
ANNA = "199003152387"
TEST_NAMES = {ANNA: "Anna Andersson", "198511224571": "Erik Lindqvist"}


def submit_bygglov(services: dict[str, Any], person: str = ANNA) -> Any:
    """A complete Bygglov application from a person, submitted: the case it opened."""
    from digigov.cases import actions

    actor = Actor.person(person, TEST_NAMES.get(person, ""))
    application = actions.start_application(
        actor=actor,
        service_version=services["BYGGLOV"],
        applicant_kind="person",
        applicant_identifier=person,
        actor_loa="http://id.elegnamnden.se/loa/1.0/loa3",
    )
    application = actions.save_answers(
        actor=actor, application=application, answers=BYGGLOV_ANSWERS
    )
    for field in ("situationsplan", "planritning", "fasadritning"):
        actions.add_attachment(
            actor=actor,
            application=application,
            field_id=field,
            file_name="ritning.pdf",
            chunks=[PDF],
        )
    sign_application(application, person)
    return actions.submit_application(
        actor=actor,
        application_id=application.pk,
        actor_loa="http://id.elegnamnden.se/loa/1.0/loa3",
    )


def sign_application(application: Any, person: str) -> Any:
    """The person signs the application with BankID (the simulator's evidence, made here)."""
    from digigov.cases import actions, signing
    from digigov.identity.bankid.simulator.signatures import sign_here

    application.refresh_from_db()
    filer = Actor.person(application.submitted_by)  # fixes it; the person then signs
    to_sign = actions.prepare_signing(actor=filer, application=application)
    return sign_here(to_sign, person, signing.purpose_of(application))


@pytest.fixture
def bygglov_case(services: dict[str, Any]) -> Any:
    return submit_bygglov(services)


FATIMA = "197206086147"


def secret_case(services: dict[str, Any], organisation: Organisation) -> Any:
    """Fatima Hassan's case of economic aid, secret as a whole (OSL 26 kap. 1 §), SN 2026/00001,
    with her application registered as its first document."""
    from digigov.cases import actions
    from digigov.cases.models import Case
    from digigov.core import clock

    fatima = Actor.person(FATIMA, "Fatima Hassan")
    application = actions.start_application(
        actor=fatima,
        service_version=services["EKONOMISKT_BISTAND"],
        applicant_kind="person",
        applicant_identifier=fatima.identifier,
        actor_loa="http://id.elegnamnden.se/loa/1.0/loa3",
    )
    case = Case.objects.create(
        organisation=organisation,
        application=application,
        service_version=application.service_version,
        service_code="EKONOMISKT_BISTAND",
        series="SN",
        year=2026,
        number=1,
        registrar_number="SN 2026/00001",
        state="inkommen",
        applicant_kind="person",
        applicant_identifier=fatima.identifier,
        applicant_name="Fatima Hassan",
        submitted_by=fatima.identifier,
        secret=True,
        opened_at=clock.now(),
    )
    case.documents.create(
        organisation=organisation,
        sequence=1,
        kind="application",
        registered_at=clock.now(),
        direction="in",
        counterpart="Fatima Hassan",
        title="Ansökan om ekonomiskt bistånd",
        secrecy_ground="OSL 26 kap. 1 §",
    )
    return case


@pytest.fixture
def cases_at_two_municipalities(
    services: dict[str, Any],
    organisation: Organisation,
    other_organisation: Organisation,
    case_worker: Any,
) -> tuple[Any, Any, Any]:
    """Anna: Exempelby waits for her completion; Provstad is handling one and decided one."""
    import datetime as dt

    from digigov.cases import actions as case_actions
    from digigov.services import actions as service_actions
    from digigov.services import package

    provstad = {
        loaded.spec.code: service_actions.install_package(
            actor=Actor.system("tests"), organisation=other_organisation, spec=loaded.spec
        )
        for loaded in (package.load(folder) for folder in package.built_in_packages())
    }
    waiting = submit_bygglov(services)
    case_actions.take(
        staff=case_actions.staff_in(case_worker, organisation.pk),
        case=waiting,
        transition_id="begar_komplettering",
        revision=waiting.revision,
        message="Situationsplanen saknas.",
        due_on=dt.date.today() + dt.timedelta(days=14),
    )
    handled, decided = submit_bygglov(provstad), submit_bygglov(provstad)
    worker = case_actions.staff_in(
        make_staff("pelle", [(other_organisation, "handlaggare")]), other_organisation.pk
    )
    case_actions.take(staff=worker, case=handled, transition_id="paborja", revision=1)
    decided = case_actions.take(staff=worker, case=decided, transition_id="paborja", revision=1)
    case_actions.take(
        staff=worker,
        case=decided,
        transition_id="besluta",
        revision=decided.revision,
        outcome="bifall",
        reasons="Följer detaljplanen.",
    )
    return waiting, handled, decided


@pytest.fixture
def underscored_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live server keeps header names with underscores (Mina ärenden's
    `skv_client_correlation_id`), as granian (`digigov serve`) does; Django's
    development server drops them."""
    from wsgiref import simple_server

    from django.core.servers import basehttp

    monkeypatch.setattr(
        basehttp.WSGIRequestHandler,
        "get_environ",
        lambda handler: simple_server.WSGIRequestHandler.get_environ(handler),
    )


def producer_token(organisation: Organisation) -> str:
    """Exempelby as a federation member whose Mina ärenden producer is a local service
    here: the token its gateway would send."""
    from digigov.exchange import actions
    from digigov.exchange.identifiers import ClientId

    system = Actor.system("tests")
    actions.init_registry(actor=system, instance="SE-TEST")
    actions.save_member(
        actor=system,
        member_class="MUN",
        member_code="2120009994",
        name=organisation.name,
        organisation=organisation,
    )
    return actions.save_local_service(
        actor=system,
        provider=ClientId.parse("SE-TEST/MUN/2120009994/arenden"),
        code="kundhandelser",
        base_url="http://127.0.0.1:8000/mycases/api/exempelby",
    ).token


def pdf_streams(pdf: bytes) -> bytes:
    """Every stream of a PDF, inflated where compressed (to find its PDF/A metadata)."""
    found = b""
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            found += zlib.decompress(match.group(1))
        except zlib.error:
            found += match.group(1)
    return found


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def sign_in_resident(
    client: Client, number: str, loa: str = "http://id.elegnamnden.se/loa/1.0/loa3"
) -> None:
    """Put a signed-in resident in the test client's session (the OIDC flow has its own tests)."""
    from digigov.core import clock
    from digigov.identity import actions
    from digigov.identity.eid_test_people import TEST_PEOPLE
    from digigov.identity.port import Identity
    from digigov.identity.session import SESSION_KEY

    person = next((p for p in TEST_PEOPLE if p.personal_identity_number == number), None)
    given, surname = (person.given_name, person.surname) if person else ("Test", "Testsson")
    resident = actions.sign_in_resident(
        Identity(number, given, surname, f"{given} {surname}", loa, "test", "subject")
    )
    session = client.session
    now = clock.now().isoformat()
    session[SESSION_KEY] = {
        "id": resident.pk, "number": number, "name": resident.display_name, "loa": loa,
        "provider": "test", "signed_in_at": now, "last_seen": now,
    }  # fmt: skip
    session.save()


REGISTER_PROVIDER = "SE-TEST/GOV/2021009978/register"


@contextlib.contextmanager
def register_node(
    live_server: Any,
    organisation: Organisation,
    settings: Any,
    granted: Iterable[str] = ("folkbokforing", "fastighet", "foretag"),
) -> Iterator[dict[str, Any]]:
    """Exempelby asks the register agency's registers (served by the live server) over
    the exchange, through two gateways on loopback, as e-services do in the demo.
    Exempelby may ask the `granted` registers; the others are registered but refused."""
    from digigov.exchange import actions as exchange
    from digigov.exchange.identifiers import ClientId
    from digigov.exchange.testing import Running
    from digigov.registers.actions import load_synthetic

    operator = Actor.system("tests")
    if not _population_loaded():
        load_synthetic(actor=operator, extra_households=2)
    registry = exchange.init_registry(actor=operator, instance="SE-TEST")
    kommun = exchange.save_member(
        actor=operator,
        member_class="MUN",
        member_code="2120009994",
        name="Exempelby kommun",
        organisation=organisation,
    )
    verket = exchange.save_member(
        actor=operator, member_class="GOV", member_code="2021009978", name="Registerverket"
    )
    asker = exchange.add_subsystem(actor=operator, member=kommun, code="arenden")
    register = exchange.add_subsystem(actor=operator, member=verket, code="register")
    allowed = set(granted)
    for code in ("folkbokforing", "fastighet", "foretag"):
        service = exchange.register_service(actor=operator, subsystem=register, code=code)
        if code in allowed:
            exchange.grant_access(actor=operator, service=service, client=asker, method="GET")
        exchange.save_local_service(
            actor=operator,
            provider=ClientId.parse(REGISTER_PROVIDER),
            code=code,
            base_url=f"{live_server.url}/register/api/{code}",
        )
    settings.REGISTERS = REGISTER_PROVIDER
    running = Running()
    running.federate(registry, {"kommun": kommun, "verket": verket}, operator)
    try:
        yield {"organisation": organisation, "live_server": live_server}
    finally:
        running.stop()


def _population_loaded() -> bool:
    from digigov.registers.models import PopulationRecord

    return PopulationRecord.objects.exists()


def free_port() -> int:
    """A loopback port of this test worker's own range, for any module's tests."""
    from digigov.exchange.testing import free_port as take

    return take()


@contextlib.contextmanager
def running_demo(live_server: Any, settings: Any) -> Iterator[dict[str, Any]]:
    """The demo as `digigov demo` serves it: its data loaded by the same function, the
    registers and Mina ärenden asked over the exchange, each organisation's gateway
    running on loopback and logging to the same database as the web server. Yields
    each member's gateway's client address, and the running gateways."""
    from digigov.exchange.gateway import Gateway
    from digigov.exchange.models import LocalGateway
    from digigov.exchange.testing import Running
    from digigov.web import demo as demo_data

    demo_data.load(
        web=(live_server.thread.host, live_server.thread.port),
        ports=lambda index: (free_port(), free_port()),
    )
    settings.REGISTERS = demo_data.REGISTER_NODE
    settings.MYCASES_HUB = demo_data.HUB
    settings.ANCHOR_WITNESS = demo_data.WITNESS
    running = Running()
    gateways = {}
    for local in LocalGateway.objects.all():
        running.start(Gateway(local))
        gateways[local.member_id] = f"http://{local.host}:{local.client_port}"
    try:
        yield {"gateways": gateways, "running": running}
    finally:
        running.stop()


@pytest.fixture
def bankid_simulator(
    transactional_db: None, settings: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The BankID simulator's listener on a free port, with its test CA (made once per run);
    the installation's BankID client points at it."""
    import threading

    from digigov.identity.bankid import client
    from digigov.identity.bankid.simulator import server

    settings.BANKID_SIMULATOR_DIR = tmp_path_factory.getbasetemp() / "bankid-simulator"
    listener = server.Server(("127.0.0.1", 0))
    settings.BANKID_SIMULATOR_ADDRESS = f"127.0.0.1:{listener.server_address[1]}"
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        listener.shutdown()
        listener.server_close()
        client.forget_connections()


# -- the browser tests' Chromium (pytest.mark.browser) ---------------------------------

# Playwright's sync API runs an event loop in the test thread; the test thread's own
# database use (fixtures) is synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="sv-SE")
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def no_script_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    opened = context.new_page()
    yield opened
    context.close()


def assert_no_violations(page: Any, what: str) -> None:
    """axe-core finds nothing on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"
