"""The demo installation's organisations, people and staff. Loaded idempotently.

Every number here is fictitious but valid; the README lists the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from digigov import config
from digigov.cases import actions as case_actions
from digigov.cases import signing
from digigov.cases.models import Case
from digigov.core import actions as core_actions
from digigov.core import clock
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.exchange import actions as exchange_actions
from digigov.exchange import models as exchange_models
from digigov.exchange import witness
from digigov.exchange.identifiers import ClientId
from digigov.identity import actions as identity_actions
from digigov.identity import loa
from digigov.identity import queries as identity_queries
from digigov.identity.bankid.simulator.signatures import sign_here
from digigov.mycases import hub as mycases_hub
from digigov.registers import actions as registers_actions
from digigov.registers import answers as register_answers
from digigov.registers import client as registers_client
from digigov.services import actions as service_actions
from digigov.services import package
from digigov.services import queries as service_queries

DEMO_ACTOR = Actor.system("demo-data")
DEMO_PASSWORD = "demo-losenord-2026"  # noqa: S105 - published in the README, demo only

ORGANISATIONS: list[dict[str, Any]] = [
    {
        "slug": "exempelby",
        "name": "Exempelby kommun",
        "kind": "kommun",
        "organisation_number": "212000-9994",
        "municipality_code": "9991",
    },
    {
        "slug": "provstad",
        "name": "Provstad kommun",
        "kind": "kommun",
        "organisation_number": "212000-9986",
        "municipality_code": "9992",
    },
    {
        "slug": "exempelverket",
        "name": "Myndigheten för exempeldata",
        "kind": "myndighet",
        "organisation_number": "202100-9978",
        "municipality_code": "",
    },
]

# username, first name, last name, [(organisation slug, role)]
# Hanna also signs in with e-ID (BankID, Sweden Connect or the test e-ID) as herself.
STAFF_EID = {"handlaggare": "197804122385"}
STAFF = [
    ("handlaggare", "Hanna", "Handläggare", [("exempelby", "handlaggare")]),
    ("registrator", "Rolf", "Registrator", [("exempelby", "registrator")]),
    ("admin", "Alva", "Administratör", [("exempelby", "administrator")]),
    ("provstad", "Per", "Provare", [("provstad", "handlaggare"), ("provstad", "registrator")]),
    ("verket", "Vera", "Verksam", [("exempelverket", "handlaggare")]),
]


def load(
    *, web: tuple[str, int] | None = None, ports: Callable[[int], tuple[int, int]] | None = None
) -> dict[str, int]:
    """Load the demo, served at `web` (host, port; DIGIGOV_HOST and DIGIGOV_PORT by default)
    with the gateways' ports from `ports` (by default beside the web server: 8100, ...).

    Each step is an action of its own, safe to repeat: a second start loads nothing twice.
    """
    host, web_port = web or (config.get(config.HOST), int(config.get(config.PORT)))
    organisations = {
        spec["slug"]: core_actions.save_organisation(actor=DEMO_ACTOR, **spec)
        for spec in ORGANISATIONS
    }
    for username, first_name, last_name, roles in STAFF:
        user = identity_actions.save_staff_account(
            actor=DEMO_ACTOR,
            username=username,
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            roles=[(organisations[slug], role) for slug, role in roles],
        )
        if username in STAFF_EID and identity_queries.staff_by_eid(STAFF_EID[username]) is None:
            identity_actions.set_staff_eid(actor=DEMO_ACTOR, user=user, number=STAFF_EID[username])
    people = registers_actions.load_synthetic(actor=DEMO_ACTOR)
    installed = 0
    for folder in package.built_in_packages():
        spec = package.load(folder).spec
        for organisation in organisations.values():
            if organisation.kind in spec.offered_by:
                service_actions.install_package(
                    actor=DEMO_ACTOR, organisation=organisation, spec=spec
                )
                installed += 1
    exchange_ready = _exchange(
        organisations, host, web_port, ports or (lambda index: gateway_ports(web_port, index))
    )
    _mycases(organisations, host, web_port)
    _witness(host, web_port)
    with registers_client.held_here():  # the gateways start after the loader
        cases = _cases(organisations) if not Case.objects.exists() else 0
    return {
        "organisations": len(organisations),
        "staff": len(STAFF),
        "people": people,
        "services": installed,
        "cases": cases,
        "gateways": exchange_ready,
    }


# A drawing to attach: any PDF will do for the demo.
DEMO_PDF = b"%PDF-1.4\n% Digigov demo drawing\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ANNA = Actor.person("199003152387", "Anna Andersson")
GARAGE = {
    "fastighetsbeteckning": "Exempelby Björken 1:23",
    "ar_agare": True,
    "atgard": "garage_carport",
    "byggnadstyp": "komplementbyggnad",
    "bruttoarea": 36,
    "beskrivning": "Ett garage i trä med sadeltak, faluröd kulör, vid infarten.",
    "epost": "anna.andersson@exempel.se",
}


def _attach(actor: Actor, application: Any, fields: tuple[str, ...]) -> None:
    """A demo PDF as each of the application's attachments."""
    for field in fields:
        case_actions.add_attachment(
            actor=actor,
            application=application,
            field_id=field,
            file_name=f"{field}.pdf",
            chunks=[DEMO_PDF],
        )


def _bygglov(
    organisation: Organisation, answers: dict[str, object], *, company: str = ""
) -> tuple[Any, Any]:
    """Anna's Bygglov application, filled in and signed by her: for herself, or for a
    company she signs for."""
    version = service_queries.current_service(organisation, "BYGGLOV")
    if version is None:
        raise RuntimeError(f"Bygglov is not installed at {organisation.slug}")
    application = case_actions.start_application(
        actor=ANNA,
        service_version=version,
        applicant_kind="company" if company else "person",
        applicant_identifier=company or ANNA.identifier,
        actor_loa=loa.LOA3,
    )
    application = case_actions.save_answers(actor=ANNA, application=application, answers=answers)
    _attach(ANNA, application, ("situationsplan", "planritning", "fasadritning"))
    # Anna signed it with BankID (the simulator's evidence, made here)
    application.refresh_from_db()
    to_sign = case_actions.prepare_signing(actor=ANNA, application=application)
    sign_here(to_sign, ANNA.identifier, signing.purpose_of(application))
    return application, version


def _submitted_bygglov(organisation: Organisation, answers: dict[str, object]) -> Case:
    application, _version = _bygglov(organisation, answers)
    return case_actions.submit_application(
        actor=ANNA, application_id=application.pk, actor_loa=loa.LOA3
    )


ERIK = Actor.person("198511224571", "Erik Lindqvist")
LICENCE = {
    "stallets_namn": "Exempelkrogen",
    "stallets_adress": {"street": "Torget 3", "postal_code": "99101", "city": "Exempelby"},
    "fastighetsbeteckning": "Exempelby Torget 1:1",
    "tillstandstyp": "stadigvarande_allmanheten",
    "drycker": ["vin", "starkol"],
    "serveringsytor": [
        {"benamning": "Matsal", "placering": "inomhus", "sittplatser": 40},
        {"benamning": "Uteservering mot torget", "placering": "uteservering", "sittplatser": 24},
    ],
    "fran": "11:00",
    "till": "01:00",
    "kok": True,
    "ansvariga": [
        {
            "namn": "Erik Lindqvist",
            "personnummer": ERIK.identifier,
            "roll": "vd",
            "kunskapsprov": True,
        }
    ],
    "epost": "erik@exempelkrogen.exempel.se",
    "telefon": "070-123 45 67",
}


def _licence(organisation: Organisation) -> Case:
    """Erik's application for Exempelkrogen AB's alcohol licence, whose decision the case
    worker signs with BankID (the package's `signing.decisions`)."""
    version = service_queries.current_service(organisation, "SERVERINGSTILLSTAND")
    if version is None:
        raise RuntimeError(f"Serveringstillstånd is not installed at {organisation.slug}")
    application = case_actions.start_application(
        actor=ERIK,
        service_version=version,
        applicant_kind="company",
        applicant_identifier="5566778899",
        actor_loa=loa.LOA3,
    )
    application = case_actions.save_answers(
        actor=ERIK, application=application, answers=application.answers | LICENCE
    )
    _attach(ERIK, application, ("planritning", "hyresavtal", "finansiering"))
    return case_actions.submit_application(
        actor=ERIK, application_id=application.pk, actor_loa=loa.LOA3
    )


def _cases(organisations: dict[str, Organisation]) -> int:
    """Anna Andersson's two building permits: one at Exempelby waiting for her
    completion, one at Provstad being handled, so the workspace, her case
    pages and Mina sidor have something to show from the start."""
    exempelby = _submitted_bygglov(organisations["exempelby"], GARAGE)
    worker = case_actions.staff_in(
        identity_queries.staff_user_by_name("handlaggare"), organisations["exempelby"].pk
    )
    case_actions.take(
        staff=worker,
        case=exempelby,
        transition_id="begar_komplettering",
        revision=exempelby.revision,
        message=(
            "Situationsplanen behöver visa avståndet från garaget till tomtgränsen. "
            "Skicka en ny situationsplan med måtten utsatta."
        ),
        due_on=clock.today() + dt.timedelta(weeks=3),
    )
    provstad = _submitted_bygglov(
        organisations["provstad"],
        {
            **GARAGE,
            "atgard": "tillbyggnad",
            "byggnadstyp": "bostadshus",
            "bruttoarea": 24,
            "beskrivning": "Tillbyggnad av köket mot trädgården, 24 kvadratmeter.",
        },
    )
    per = case_actions.staff_in(
        identity_queries.staff_user_by_name("provstad"), organisations["provstad"].pk
    )
    case_actions.take(staff=per, case=provstad, transition_id="paborja", revision=provstad.revision)
    # Provstad Bygg och Fastighet AB signs with two together: Anna has filled in and signed
    # an application for a new warehouse; Gunnel Berg finds it on Mina sidor to sign.
    _bygglov(
        organisations["provstad"],
        {
            **GARAGE,
            "fastighetsbeteckning": "Provstad Verkstaden 2:7",
            "atgard": "nybyggnad",
            "byggnadstyp": "verksamhet",
            "bruttoarea": 180,
            "beskrivning": "Nytt förråd för byggmaterial, 180 kvadratmeter, plåtfasad.",
            "epost": "info@provstadbygg.exempel.se",
        },
        company="5599112231",
    )
    licence = _licence(organisations["exempelby"])
    case_actions.take(
        staff=worker, case=licence, transition_id="paborja", revision=licence.revision
    )
    return 3


# -- the exchange: a registry, three members, their gateways and the registers ---------

INSTANCE = "SE-DEMO"
REGISTER_NODE = f"{INSTANCE}/GOV/2021009978/register"
MEMBERS = {  # organisation slug: (member class, member code = organisationsnummer)
    "exempelby": ("MUN", "2120009994"),
    "provstad": ("MUN", "2120009986"),
    "exempelverket": ("GOV", "2021009978"),
}
REGISTER_SERVICES = {
    "folkbokforing": "Folkbokföringen: personer, hushåll, vårdnadshavare",
    "fastighet": "Fastighetsregistret: fastigheter och ägare",
    "foretag": "Näringslivsregistret: företag och firmatecknare",
}


def gateway_ports(web_port: int, index: int) -> tuple[int, int]:
    """The demo's gateways listen beside the web server: 8100/8101, 8102/8103, ..."""
    base = web_port + 100 + 2 * index
    return base, base + 1


def _exchange(
    organisations: dict[str, Organisation],
    host: str,
    web_port: int,
    ports: Callable[[int], tuple[int, int]],
) -> int:
    """Make this installation the demo federation's registry and the gateway of each
    demo organisation, with the registers as services of the agency. Once; a start
    stopped halfway is finished by the next (every step is safe to repeat)."""
    member_ids = [f"{INSTANCE}/{member_class}/{code}" for member_class, code in MEMBERS.values()]
    ready = (
        exchange_models.VerifiedConfiguration.objects.exists()
        and exchange_models.LocalGateway.objects.filter(member_id__in=member_ids).count()
        == len(member_ids)
    )
    if ready:
        return len(member_ids)
    registry = exchange_models.Registry.objects.first() or exchange_actions.init_registry(
        actor=DEMO_ACTOR, instance=INSTANCE
    )
    members = {
        slug: exchange_actions.save_member(
            actor=DEMO_ACTOR,
            member_class=member_class,
            member_code=code,
            name=organisations[slug].name,
            organisation=organisations[slug],
        )
        for slug, (member_class, code) in MEMBERS.items()
    }
    callers = [
        exchange_actions.add_subsystem(actor=DEMO_ACTOR, member=member, code="arenden")
        for member in members.values()
    ]
    exchange_actions.add_subsystem(
        actor=DEMO_ACTOR, member=members["exempelverket"], code="register"
    )
    for code, description in REGISTER_SERVICES.items():
        _offer(
            REGISTER_NODE,
            code,
            description,
            f"http://{host}:{web_port}/register/api/{code}",
            [(caller, "GET", "") for caller in callers],
            openapi=register_answers.openapi(code),
        )
    for index, member in enumerate(members.values()):
        if exchange_models.LocalGateway.objects.filter(member_id=str(member)).exists():
            continue  # keys and certificates made by an earlier start
        client_port, server_port = ports(index)
        exchange_actions.run_gateway_here(
            actor=DEMO_ACTOR,
            member=member,
            code="gw1",
            host=host,
            client_port=client_port,
            server_port=server_port,
        )
    exchange_actions.install_anchor(
        actor=DEMO_ACTOR,
        instance=INSTANCE,
        certificate_pem=registry.configuration_certificate_pem,
        source=f"http://{host}:{web_port}/exchange/global-conf",
    )
    _republish()
    return len(members)


# -- Mina ärenden: the municipalities produce, the agency runs the hub -------------------

HUB = f"{INSTANCE}/GOV/2021009978/minaarenden"
PRODUCERS = ("exempelby", "provstad")


def _mycases(organisations: dict[str, Organisation], host: str, web_port: int) -> None:
    """Each demo municipality's producer as an exchange service, the agency's hub allowed
    to ask them, and the hub as a service for the municipalities' portals. Once (an
    older demo database gets it on its next start; every step is safe to repeat)."""
    if (
        not exchange_models.Registry.objects.exists()
        or exchange_models.LocalService.objects.filter(code=mycases_hub.HUB_SERVICE).exists()
    ):
        return
    members = {
        slug: exchange_actions.member_by_id(f"{INSTANCE}/{member_class}/{code}")
        for slug, (member_class, code) in MEMBERS.items()
    }
    hub_system = exchange_actions.add_subsystem(
        actor=DEMO_ACTOR, member=members["exempelverket"], code="minaarenden"
    )
    portals = [exchange_actions.subsystem_by_id(f"{members[slug]}/arenden") for slug in PRODUCERS]
    for slug in PRODUCERS:
        _offer(
            f"{members[slug]}/arenden",
            mycases_hub.PRODUCER_SERVICE,
            f"Mina ärenden: {organisations[slug].name}s kundhändelser",
            f"http://{host}:{web_port}/mycases/api/{slug}",
            [(hub_system, "POST", mycases_hub.PATH)],
        )
    _offer(
        HUB,
        mycases_hub.HUB_SERVICE,
        "Mina ärenden: en persons kundhändelser hos alla producenter",
        f"http://{host}:{web_port}/mycases/hub",
        [(portal, "POST", mycases_hub.PATH) for portal in portals],
    )
    _republish()


def _offer(
    provider: str,
    code: str,
    description: str,
    base_url: str,
    grants: list[tuple[Any, str, str]],
    *,
    openapi: str = "",
) -> None:
    """A service of the subsystem `provider`: registered (with its OpenAPI description, if
    any), open to each (client, method, path prefix) granted, and served here at `base_url`."""
    service = exchange_actions.register_service(
        actor=DEMO_ACTOR,
        subsystem=exchange_actions.subsystem_by_id(provider),
        code=code,
        openapi=openapi,
        description=description,
    )
    for client, method, path in grants:
        exchange_actions.grant_access(
            actor=DEMO_ACTOR, service=service, client=client, method=method, path=path
        )
    exchange_actions.save_local_service(
        actor=DEMO_ACTOR,
        provider=ClientId.parse(provider),
        code=code,
        base_url=base_url,
        openapi=openapi,
    )


def _republish() -> None:
    """Publish the registry's configuration and take it into use here."""
    exchange_actions.accept_configuration(
        actor=DEMO_ACTOR, signed=exchange_actions.publish_configuration(actor=DEMO_ACTOR).signed
    )


WITNESS = f"{REGISTER_NODE}/vittne"


def _witness(host: str, web_port: int) -> None:
    """The agency keeps the installation's log anchors (core.anchors) as its witness
    service; the installation sends them from its first gateway's `arenden`. Once."""
    if (
        not exchange_models.Registry.objects.exists()
        or exchange_models.LocalService.objects.filter(code=witness.SERVICE).exists()
    ):
        return
    first = exchange_models.LocalGateway.objects.order_by("pk").first()
    assert first is not None
    sender = exchange_actions.subsystem_by_id(f"{first.member_id}/arenden")
    _offer(
        REGISTER_NODE,
        witness.SERVICE,
        "Vittne: håller andra medlemmars förankrade logghuvuden",
        f"http://{host}:{web_port}/exchange/witness",
        [(sender, method, witness.PATH) for method in ("GET", "POST")],
    )
    _republish()
